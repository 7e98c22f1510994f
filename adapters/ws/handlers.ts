/**
 * @module What each client frame does: a `Map<type, handler>` registry. A
 * handler gets the frame's payload checked against its schema and calls one
 * use case; what the use case pushes reaches the connections through the
 * notifier. A `DomainError` thrown here becomes an `error` frame.
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
  readonly deps: Deps;
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
export function createFrameHandlers(): ReadonlyMap<ClientFrameType, FrameHandler> {
  const handlers = new Map<ClientFrameType, FrameHandler>();
  const on = <T extends ClientFrameType>(
    type: T,
    handle: (context: FrameContext, payload: ClientPayload<T>) => Promise<void>,
  ) => {
    handlers.set(type, (context, payload) => handle(context, parsePayload(type, payload)));
  };
  const from = ({ userId, connectionId }: FrameContext) => ({ userId, connectionId });

  on('call-user', async (c, payload) => {
    await callUser(c.deps, { ...from(c), payload });
  });
  on('call-accepted', (c, payload) => acceptCall(c.deps, { ...from(c), payload }));
  on('call-rejected', (c, payload) => rejectCall(c.deps, { ...from(c), payload }));
  on('call-ended', (c, payload) => endCall(c.deps, { ...from(c), payload }));
  for (const type of ['offer', 'answer', 'ice-candidate'] as const) {
    on(type, (c, payload) => relayCallSignal(c.deps, { ...from(c), type, payload }));
  }

  on('update-presence', (c, payload) =>
    updatePresence(c.deps, { ...from(c), status: payload.status }),
  );
  on('subscribe-presence', async (c, payload) => {
    const current = await subscribePresence(c.deps, { ...from(c), userIds: payload.userIds });
    for (const presence of current) c.send(presenceUpdateFrame(presence));
  });
  on('unsubscribe-presence', (c, payload) =>
    unsubscribePresence(c.deps, { ...from(c), userIds: payload.userIds }),
  );

  return handlers;
}
