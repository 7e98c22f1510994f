/** @module Deps for core tests: memory store, fixed clock, fast fakes, a recording notifier. */

import { createHmacVerificationCodes } from '../../adapters/crypto/hmac-verification-codes.js';
import { createMemoryCallStateStore } from '../../adapters/memory/call-state-store.js';
import { createFixedClock } from '../../adapters/memory/clock.js';
import { createUnlimitedCodeSendLimiter } from '../../adapters/memory/code-send-limiter.js';
import { createMemoryStore } from '../../adapters/memory/create-memory-store.js';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMemoryPresenceStore } from '../../adapters/memory/presence-store.js';
import { createMemoryPresenceSubscriptions } from '../../adapters/memory/presence-subscriptions.js';
import { createMemoryPushSender } from '../../adapters/memory/push-sender.js';
import { createTimerScheduler } from '../../adapters/memory/scheduler.js';
import { createMemorySessionEvents } from '../../adapters/wire/local-session-events.js';
import {
  createKeyedQueue,
  DEFAULT_EVENT_RETENTION_MS,
  DEFAULT_RING_TIMEOUT_MS,
  type Deps,
  type EndedSession,
  type Notification,
  type Notifier,
  type PushSender,
  type SignatureVerifier,
  type UserId,
} from '../../core/index.js';
import {
  createFakePasswordHasher,
  createFakeTokenService,
  createRecordingPhoneVerifier,
} from './fakes.js';

export interface RecordedNotification {
  readonly userId: UserId;
  readonly notification: Notification;
  readonly exceptConnectionId: string | undefined;
  /** Set for a push to this one connection only (`notifyConnection`). */
  readonly connectionId?: string;
}

/** A notifier that only records what it was asked to push. */
export function createRecordingNotifier(): Notifier & { readonly sent: RecordedNotification[] } {
  const sent: RecordedNotification[] = [];
  return {
    sent,
    async notify(userId, notification, options) {
      sent.push({ userId, notification, exceptConnectionId: options?.exceptConnectionId });
    },
    async notifyConnection(userId, connectionId, notification) {
      sent.push({ userId, notification, exceptConnectionId: undefined, connectionId });
    },
  };
}

/** Accepts no signature; core tests that need real ones pass the libsignal verifier. */
const rejectingVerifier: SignatureVerifier = { verify: async () => false };

export function createCoreDeps(overrides: Partial<Deps> = {}) {
  const clock = createFixedClock();
  const ids = createObjectIdGenerator();
  const notifier = createRecordingNotifier();
  const passwords = createFakePasswordHasher();
  const verifier = createRecordingPhoneVerifier();
  const sessionEvents = createMemorySessionEvents();
  const endedSessions: EndedSession[] = [];
  sessionEvents.onEnded((sessions) => endedSessions.push(...sessions));
  const deps = {
    ...createMemoryStore(ids),
    presence: createMemoryPresenceStore(),
    notifier,
    passwords,
    tokens: createFakeTokenService(clock),
    signatures: rejectingVerifier,
    clock,
    ids,
    callState: createMemoryCallStateStore(),
    scheduler: createTimerScheduler(),
    callQueue: createKeyedQueue(),
    ringTimeoutMs: DEFAULT_RING_TIMEOUT_MS,
    presenceSubscriptions: createMemoryPresenceSubscriptions(),
    presenceQueue: createKeyedQueue(),
    eventQueue: createKeyedQueue(),
    eventRetentionMs: DEFAULT_EVENT_RETENTION_MS,
    sessionEvents,
    phoneVerifier: verifier,
    verificationCodes: createHmacVerificationCodes({ key: new Uint8Array(32).fill(7) }),
    codeSendLimiter: createUnlimitedCodeSendLimiter(),
    phoneVerification: 'off' as 'off' | 'required',
    pushes: createMemoryPushSender() as PushSender,
    ...overrides,
  } satisfies Deps;
  return { deps, clock, notifier, passwords, verifier, endedSessions };
}
