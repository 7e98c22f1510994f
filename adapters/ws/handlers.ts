/**
 * @module What each client frame does: a `Map<type, handler>` registry. A
 * handler gets the frame's payload checked against its schema and calls one
 * use case; what the use case pushes reaches the connections through the
 * notifier. A `DomainError` thrown here becomes an `error` frame. The
 * registry closes over the server's `Deps`, so a connection needs to carry
 * only who it is.
 */
import {
  acceptCall,
  acknowledgeUpTo,
  callUser,
  type Deps,
  endCall,
  markRead,
  rejectCall,
  relayCallSignal,
  type SessionId,
  sendTyping,
  subscribePresence,
  type UserId,
  unsubscribePresence,
  updatePresence,
} from '../../core/index.js';
import {
  type ClientFrameType,
  type ClientPayload,
  parsePayload,
  presenceUpdateFrame,
  type ServerFrame,
} from './protocol.js';

/** The connection a frame came from. */
export interface FrameContext {
  readonly userId: UserId;
  readonly connectionId: string;
  /** The device session of the token the connection opened with. */
  readonly sessionId: SessionId;
  /** Sends a frame to this connection only. */
  send(frame: ServerFrame): void;
  /** Replays the caller's event log after `since` on this connection, then `sync-done`. */
  resume(since: number): Promise<void>;
}

/** Handles one frame whose envelope is sound; validates the payload itself. */
export type FrameHandler = (
  context: FrameContext,
  payload: Readonly<Record<string, unknown>>,
) => Promise<void>;

/** One limit: spends `points` (default 1) for `key`, or throws `RateLimitedError` (adapters/rate-limit). */
export interface FrameRateLimiter {
  consume(key: string, points?: number): Promise<void>;
}

/** The limits on placing calls (SECURITY.md); absent with `RATE_LIMITS=off`. */
export interface CallLimits {
  /** Per caller. */
  readonly perUser: FrameRateLimiter;
  /** Per caller and callee: how often one user can ring another. */
  readonly perPair: FrameRateLimiter;
}

export interface FrameHandlerOptions {
  readonly callLimits?: CallLimits;
  /**
   * The caller's profile read budget, shared with the HTTP reads that resolve
   * ids to people (`RATE_LIMIT_PROFILE_READS_PER_USER`); absent with `RATE_LIMITS=off`.
   */
  readonly profileReads?: FrameRateLimiter;
}

/** Every client frame type of API.md §7 and its handler. */
export function createFrameHandlers(
  deps: Deps,
  options: FrameHandlerOptions = {},
): ReadonlyMap<ClientFrameType, FrameHandler> {
  const { callLimits, profileReads } = options;
  const handlers = new Map<ClientFrameType, FrameHandler>();
  const on = <T extends ClientFrameType>(
    type: T,
    handle: (context: FrameContext, payload: ClientPayload<T>) => Promise<void>,
  ) => {
    handlers.set(type, (context, payload) => handle(context, parsePayload(type, payload)));
  };

  on('sync', (context, payload) => context.resume(payload.since));
  on('typing', ({ userId }, payload) =>
    sendTyping(deps, { userId, to: payload.to, active: payload.active }),
  );
  on('ack', ({ userId }, payload) => acknowledgeUpTo(deps, { userId, seq: payload.seq }));
  on('read', async ({ userId, connectionId }, payload) => {
    await markRead(deps, { userId, peerId: payload.peerId, upTo: payload.upTo, connectionId });
  });

  on('call-user', async ({ userId, connectionId }, payload) => {
    // Every attempt counts, refused ones too: ringing someone is never free.
    if (callLimits !== undefined) {
      await callLimits.perUser.consume(userId);
      await callLimits.perPair.consume(`${userId}>${payload.to}`);
    }
    await callUser(deps, { userId, connectionId, payload });
  });
  on('call-accepted', ({ userId, connectionId, sessionId }, payload) =>
    acceptCall(deps, { userId, connectionId, sessionId, payload }),
  );
  on('call-rejected', ({ userId, connectionId, sessionId }, payload) =>
    rejectCall(deps, { userId, connectionId, sessionId, payload }),
  );
  on('call-ended', ({ userId, connectionId, sessionId }, payload) =>
    endCall(deps, { userId, connectionId, sessionId, payload }),
  );
  for (const type of ['offer', 'answer', 'ice-candidate'] as const) {
    on(type, ({ userId, connectionId }, payload) =>
      relayCallSignal(deps, { userId, connectionId, type, payload }),
    );
  }

  on('update-presence', ({ userId, connectionId }, payload) =>
    updatePresence(deps, { userId, connectionId, status: payload.status }),
  );
  on('subscribe-presence', async (c, payload) => {
    // What `POST /api/users/presence` spends: one point per id asked about, before any is read.
    await profileReads?.consume(c.userId, payload.userIds.length);
    const current = await subscribePresence(deps, {
      userId: c.userId,
      connectionId: c.connectionId,
      userIds: payload.userIds,
    });
    for (const presence of current) c.send(presenceUpdateFrame(presence));
  });
  on('unsubscribe-presence', ({ userId, connectionId }, payload) =>
    unsubscribePresence(deps, { userId, connectionId, userIds: payload.userIds }),
  );

  return handlers;
}
