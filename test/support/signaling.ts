/**
 * @module A small world for call signaling tests: users with live
 * connections whose inboxes record what each connection received (through
 * the real in-memory notifier), and helpers that send frames as a connection.
 * Use with fake timers (`useFakeTimersPerTest()`): the ring timeout runs on
 * the timer scheduler.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { createMemoryNotifier } from '../../adapters/wire/local-notifier.js';
import {
  acceptCall,
  type CallRecord,
  type CallSignalType,
  type CallUserRequest,
  type CallUserResult,
  callUser,
  connectionClosed,
  type Deps,
  endCall,
  type Notification,
  type Notifier,
  type PassthroughFields,
  type Profile,
  rejectCall,
  relayCallSignal,
  type UserId,
} from '../../core/index.js';
import { createCoreDeps } from './core-deps.js';
import { registerUsers } from './presence.js';

/** A frame as the connection would see it on the wire (`{ type, payload }`). */
export interface Frame {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** One live connection of a user, with the frames pushed to it. */
export interface Connection {
  readonly userId: UserId;
  readonly connectionId: string;
  readonly inbox: Frame[];
  /** `inbox` entries of one type. */
  received(type: string): Frame[];
  callUser(payload: CallUserRequest): Promise<CallUserResult>;
  accept(callId: string, extra?: PassthroughFields): Promise<void>;
  reject(callId: string, extra?: PassthroughFields): Promise<void>;
  hangUp(callId: string, extra?: PassthroughFields): Promise<void>;
  signal(type: CallSignalType, callId: string, extra?: PassthroughFields): Promise<void>;
  /** The transport's close: presence first, then `connectionClosed`. */
  close(): Promise<boolean>;
}

function toFrame(notification: Notification): Frame {
  if ('payload' in notification) return { type: notification.type, payload: notification.payload };
  const { type, ...rest } = notification;
  return { type, payload: rest };
}

/**
 * The real in-memory notifier, its connections told the notification each
 * push was made from: core tests assert on what the core pushed, not on the
 * frames' text. It delivers to its connections synchronously, inside the
 * call, so the one being pushed is the one each listener hears.
 */
function createNotificationRegistry() {
  const registry = createMemoryNotifier();
  let pushing: Notification | undefined;
  const during = async (notification: Notification, push: () => Promise<void>) => {
    pushing = notification;
    try {
      await push();
    } finally {
      pushing = undefined;
    }
  };
  const notifier: Notifier = {
    notify: (userId, notification, options) =>
      during(notification, () => registry.notify(userId, notification, options)),
    notifyConnection: (userId, connectionId, notification) =>
      during(notification, () => registry.notifyConnection(userId, connectionId, notification)),
  };
  const subscribe = (
    userId: UserId,
    connectionId: string,
    listener: (notification: Notification) => void,
  ) => registry.subscribe(userId, connectionId, () => listener(pushing!));
  return { notifier, subscribe };
}

/** Fresh deps (memory stores, real in-memory notifier) and four users; install fake timers first. */
export async function createCallWorld(overrides: Partial<Deps> = {}) {
  const { notifier, subscribe } = createNotificationRegistry();
  const core = createCoreDeps({ notifier, ...overrides });
  const { deps, clock } = core;
  const users = await registerUsers(deps, '+1555020', {
    alice: 'Alice',
    bob: 'Bob',
    carol: 'Carol',
    dave: 'Dave',
  });

  async function connect(who: Profile | UserId, connectionId: string): Promise<Connection> {
    const userId = typeof who === 'string' ? who : who.id;
    const inbox: Frame[] = [];
    const unsubscribe = subscribe(userId, connectionId, (n) => inbox.push(toFrame(n)));
    await deps.presence.setConnectionStatus(userId, connectionId, 'active');
    const frame = (callId: string, extra: PassthroughFields = {}) => ({
      userId,
      connectionId,
      payload: { ...extra, callId },
    });
    return {
      userId,
      connectionId,
      inbox,
      received: (type) => inbox.filter((f) => f.type === type),
      callUser: (payload) => callUser(deps, { userId, connectionId, payload }),
      accept: (callId, extra) => acceptCall(deps, frame(callId, extra)),
      reject: (callId, extra) => rejectCall(deps, frame(callId, extra)),
      hangUp: (callId, extra) => endCall(deps, frame(callId, extra)),
      signal: (type, callId, extra) => relayCallSignal(deps, { ...frame(callId, extra), type }),
      async close() {
        unsubscribe();
        await deps.presence.removeConnection(userId, connectionId);
        return connectionClosed(deps, { userId, connectionId });
      },
    };
  }

  return {
    ...core,
    ...users,
    connect,
    /** Moves the fake timers and the clock together, then lets queued work finish. */
    async advance(ms: number) {
      clock.advance(ms);
      await vi.advanceTimersByTimeAsync(ms);
      await deps.callQueue.settled();
    },
    history: (callId: string): Promise<CallRecord | null> => deps.calls.findById(callId),
    live: (callId: string) => deps.callState.get(callId),
  };
}

/** The connections of a `ringingCall`, by user. */
export interface RingingCallOptions<Bob extends string, Carol extends string> {
  /** Bob's connection ids, connected in this order; `b1`, `b2` unless given. */
  readonly bob?: readonly Bob[];
  /** Carol's connection ids (Carol is in no call); none unless given. */
  readonly carol?: readonly Carol[];
  /** Replaces single ports, as for `createCallWorld`. */
  readonly overrides?: Partial<Deps>;
}

/**
 * A call world in which Alice (`a1`, `a2`) rings Bob (`b1`, `b2` unless told
 * otherwise) from `a1` with call `c`; Carol's connections, if any, connect
 * last. Alice's and Bob's inboxes are emptied after the ring.
 */
export async function ringingCall<
  const Bob extends string = 'b1' | 'b2',
  const Carol extends string = never,
>(options: RingingCallOptions<Bob, Carol> = {}) {
  const w = await createCallWorld(options.overrides);
  const connectAll = async <Id extends string>(who: Profile, ids: readonly Id[]) => {
    const connections = {} as Record<Id, Connection>;
    for (const id of ids) connections[id] = await w.connect(who, id);
    return connections;
  };
  const alice = await connectAll(w.alice, ['a1', 'a2'] as const);
  const bob = await connectAll(w.bob, options.bob ?? (['b1', 'b2'] as Bob[]));
  const carol = await connectAll(w.carol, options.carol ?? []);
  await alice.a1.callUser({ to: w.bob.id, callId: 'c' });
  for (const c of [...Object.values<Connection>(alice), ...Object.values<Connection>(bob)]) {
    c.inbox.length = 0;
  }
  return { w, ...alice, ...bob, ...carol };
}

/** A `ringingCall` (Bob on `b1`, `b2`) that Bob accepted on `b2`; `a1`'s and Bob's inboxes are emptied again. */
export async function ongoingCall<const Carol extends string = never>(
  options: Omit<RingingCallOptions<'b1' | 'b2', Carol>, 'bob'> = {},
) {
  const call = await ringingCall<'b1' | 'b2', Carol>(options);
  await call.b2.accept('c');
  for (const c of [call.a1, call.b1, call.b2]) c.inbox.length = 0;
  return call;
}

/** Installs fake timers before each test of the file (or `describe`) and restores real ones after it. */
export function useFakeTimersPerTest(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Expects the promise to reject with a `DomainError` of `code`. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}
