/** @module Everything the use cases may touch. Each use case picks what it needs. */
import type { KeyedQueue } from './keyed-queue.js';
import type { BlockRepository } from './ports/block-repository.js';
import type { CallRepository } from './ports/call-repository.js';
import type { CallStateStore } from './ports/call-state-store.js';
import type { Clock } from './ports/clock.js';
import type { CodeSendLimiter } from './ports/code-send-limiter.js';
import type { ConversationRepository } from './ports/conversation-repository.js';
import type { DeliveryRepository } from './ports/delivery-repository.js';
import type { EventLog } from './ports/event-log.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { KeyBundleRepository } from './ports/key-bundle-repository.js';
import type { MessageRepository } from './ports/message-repository.js';
import type { Notifier } from './ports/notifier.js';
import type { PasswordHasher } from './ports/password-hasher.js';
import type { PhoneVerifier } from './ports/phone-verifier.js';
import type { PresenceStore } from './ports/presence-store.js';
import type { PresenceSubscriptions } from './ports/presence-subscriptions.js';
import type { PushSender } from './ports/push-sender.js';
import type { ReadMarkRepository } from './ports/read-mark-repository.js';
import type { Scheduler } from './ports/scheduler.js';
import type { SessionEvents } from './ports/session-events.js';
import type { SessionRepository } from './ports/session-repository.js';
import type { SignatureVerifier } from './ports/signature-verifier.js';
import type { TokenService } from './ports/token-service.js';
import type { UserRepository } from './ports/user-repository.js';
import type { VerificationCodes } from './ports/verification-codes.js';
import type { VerificationRepository } from './ports/verification-repository.js';

export interface Deps {
  readonly users: UserRepository;
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly keyBundles: KeyBundleRepository;
  /** Who blocks whom. */
  readonly blocks: BlockRepository;
  /** Each user's log of the events they must not miss, with their `seq`. */
  readonly events: EventLog;
  /** Where each user read each conversation up to. */
  readonly readMarks: ReadMarkRepository;
  /** When each message first reached a device of its receiver. */
  readonly deliveries: DeliveryRepository;
  /** Serializes each user's appends and their pushes in this process (keyed by user id); one per process. */
  readonly eventQueue: KeyedQueue;
  /** How long logged events are kept at least (`EVENT_LOG_RETENTION_DAYS`). */
  readonly eventRetentionMs: number;
  readonly presence: PresenceStore;
  readonly notifier: Notifier;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly signatures: SignatureVerifier;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The call history. */
  readonly calls: CallRepository;
  /** The live call state (shared by every instance in a cluster). */
  readonly callState: CallStateStore;
  /** Runs the ring timeouts. */
  readonly scheduler: Scheduler;
  /** Serializes the signaling of each call in this process; one per process. */
  readonly callQueue: KeyedQueue;
  /** How long a call may ring unanswered (`CALL_RING_TIMEOUT`, default 60 s). */
  readonly ringTimeoutMs: number;
  /** Who follows whose presence (`subscribe-presence`), per connection. */
  readonly presenceSubscriptions: PresenceSubscriptions;
  /**
   * Serializes each user's presence changes in this process (keyed by user
   * id), so their pushes leave in the order of the transitions; one per process.
   */
  readonly presenceQueue: KeyedQueue;
  /** Signed-in devices. */
  readonly sessions: SessionRepository;
  /** Announces ended sessions to every instance. */
  readonly sessionEvents: SessionEvents;
  /** Phone verifications in progress. */
  readonly verifications: VerificationRepository;
  /** Delivers (and maybe checks) codes; null when phone verification is not configured. */
  readonly phoneVerifier: PhoneVerifier | null;
  /** Draws and hashes the codes we own. */
  readonly verificationCodes: VerificationCodes;
  /** Limits on codes sent per number, calling code and client address. */
  readonly codeSendLimiter: CodeSendLimiter;
  /** `required`: registering needs a verified phone number (PHONE_VERIFICATION). */
  readonly phoneVerification: 'off' | 'required';
  /** Wakes devices without a socket (APNs, FCM, Web Push); `kinds` is empty when push is off. */
  readonly pushes: PushSender;
}

/** The repositories a persistent store provides (memory or MongoDB); the rest of `Deps` is not stored. */
export type Store = Pick<
  Deps,
  | 'users'
  | 'messages'
  | 'conversations'
  | 'keyBundles'
  | 'calls'
  | 'sessions'
  | 'verifications'
  | 'blocks'
  | 'events'
  | 'readMarks'
  | 'deliveries'
>;
