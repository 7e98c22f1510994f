/**
 * @module Everything the use cases need, in this process's memory, for a
 * program that embeds the core: only the three secret-bearing ports
 * (passwords, tokens, signatures) are the embedder's to choose.
 */
import {
  createKeyedQueue,
  DEFAULT_EVENT_RETENTION_MS,
  DEFAULT_RING_TIMEOUT_MS,
  type Deps,
  type VerificationCodes,
} from '../../core/index.js';
import { createMemoryNotifier, type MemoryNotifier } from '../wire/local-notifier.js';
import { createMemorySessionEvents } from '../wire/local-session-events.js';
import { createMemoryCallStateStore } from './call-state-store.js';
import { createSystemClock } from './clock.js';
import { createUnlimitedCodeSendLimiter } from './code-send-limiter.js';
import { createMemoryStore } from './create-memory-store.js';
import { createObjectIdGenerator } from './id-generator.js';
import { createMemoryPresenceStore } from './presence-store.js';
import { createMemoryPresenceSubscriptions } from './presence-subscriptions.js';
import { createMemoryPushSender } from './push-sender.js';
import { createTimerScheduler } from './scheduler.js';

export type MemoryDepsOptions = Pick<Deps, 'passwords' | 'tokens' | 'signatures'> &
  Partial<Omit<Deps, 'notifier'>>;

// Phone verification is off unless the embedder brings a verifier, and with
// it the keyed code hasher (a secret-bearing port, like tokens).
const noVerificationCodes: VerificationCodes = {
  generate() {
    throw new Error('Pass verificationCodes to createMemoryDeps to use phone verification.');
  },
  hash() {
    throw new Error('Pass verificationCodes to createMemoryDeps to use phone verification.');
  },
  matches() {
    throw new Error('Pass verificationCodes to createMemoryDeps to use phone verification.');
  },
};

/**
 * Fresh in-memory deps; any port given in `options` replaces the memory one.
 * Phone verification is off and unconfigured (`phoneVerifier: null`) unless given;
 * so is push (a sender with no kinds).
 */
export function createMemoryDeps(options: MemoryDepsOptions): Deps & {
  readonly notifier: MemoryNotifier;
} {
  const ids = options.ids ?? createObjectIdGenerator();
  return {
    ...createMemoryStore(ids),
    presence: createMemoryPresenceStore(),
    clock: createSystemClock(),
    callState: createMemoryCallStateStore(),
    scheduler: createTimerScheduler(),
    callQueue: createKeyedQueue(),
    ringTimeoutMs: DEFAULT_RING_TIMEOUT_MS,
    presenceSubscriptions: createMemoryPresenceSubscriptions(),
    presenceQueue: createKeyedQueue(),
    eventQueue: createKeyedQueue(),
    eventRetentionMs: DEFAULT_EVENT_RETENTION_MS,
    sessionEvents: createMemorySessionEvents(),
    phoneVerifier: null,
    verificationCodes: noVerificationCodes,
    codeSendLimiter: createUnlimitedCodeSendLimiter(),
    phoneVerification: 'off',
    pushes: createMemoryPushSender(),
    ...options,
    ids,
    notifier: createMemoryNotifier(),
  };
}
