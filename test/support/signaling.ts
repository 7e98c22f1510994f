/**
 * @module A small world for call signaling tests: users with live
 * connections whose inboxes record what each connection received (through
 * the real in-memory notifier), and helpers that send frames as a connection.
 * Use with `vi.useFakeTimers()`: the ring timeout runs on the timer scheduler.
 */
import { expect, vi } from 'vitest';
import { createMemoryNotifier } from '../../adapters/memory/notifier.js';
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
  type PassthroughFields,
  type Profile,
  rejectCall,
  relayCallSignal,
  type UserId,
} from '../../core/index.js';
import { register } from '../../core/use-cases/register.js';
import { createCoreDeps } from './core-deps.js';

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

/** Fresh deps (memory stores, real in-memory notifier) and four users; install fake timers first. */
export async function createCallWorld(overrides: Partial<Deps> = {}) {
  const notifier = createMemoryNotifier();
  const core = createCoreDeps({ notifier, ...overrides });
  const { deps, clock } = core;
  let phone = 0;
  const user = async (displayName: string): Promise<Profile> => {
    phone += 1;
    const session = await register(deps, {
      phoneNumber: `+1555020${String(phone).padStart(4, '0')}`,
      username: null,
      displayName,
      password: 'password1',
    });
    return session.user;
  };
  const alice = await user('Alice');
  const bob = await user('Bob');
  const carol = await user('Carol');
  const dave = await user('Dave');

  async function connect(who: Profile | UserId, connectionId: string): Promise<Connection> {
    const userId = typeof who === 'string' ? who : who.id;
    const inbox: Frame[] = [];
    const unsubscribe = notifier.subscribe(userId, connectionId, (n) => inbox.push(toFrame(n)));
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
    alice,
    bob,
    carol,
    dave,
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

/** Expects the promise to reject with a `DomainError` of `code`. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}
