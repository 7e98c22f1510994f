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
  callUser,
  type Deps,
  endCall,
  rejectCall,
  relayCallSignal,
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
  /** Sends a frame to this connection only. */
  send(frame: ServerFrame): void;
}

/** Handles one frame whose envelope is sound; validates the payload itself. */
export type FrameHandler = (
  context: FrameContext,
  payload: Readonly<Record<string, unknown>>,
) => Promise<void>;

/** Every client frame type of API.md §7 and its handler. */
export function createFrameHandlers(deps: Deps): ReadonlyMap<ClientFrameType, FrameHandler> {
  const handlers = new Map<ClientFrameType, FrameHandler>();
  const on = <T extends ClientFrameType>(
    type: T,
    handle: (context: FrameContext, payload: ClientPayload<T>) => Promise<void>,
  ) => {
    handlers.set(type, (context, payload) => handle(context, parsePayload(type, payload)));
  };

  on('call-user', async ({ userId, connectionId }, payload) => {
    await callUser(deps, { userId, connectionId, payload });
  });
  on('call-accepted', ({ userId, connectionId }, payload) =>
    acceptCall(deps, { userId, connectionId, payload }),
  );
  on('call-rejected', ({ userId, connectionId }, payload) =>
    rejectCall(deps, { userId, connectionId, payload }),
  );
  on('call-ended', ({ userId, connectionId }, payload) =>
    endCall(deps, { userId, connectionId, payload }),
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
