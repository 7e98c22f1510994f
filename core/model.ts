/**
 * @module Entities and branded ids. Ids are opaque strings (24-hex ObjectIds
 * in every shipped adapter); the brand keeps a `UserId` from being passed
 * where a `MessageId` belongs.
 */

declare const brand: unique symbol;
/** A string that the type system tells apart from other strings. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type UserId = Brand<string, 'UserId'>;
export type MessageId = Brand<string, 'MessageId'>;
export type ConversationId = Brand<string, 'ConversationId'>;
export type CallId = Brand<string, 'CallId'>;

/** An account. `passwordHash` never leaves the core's boundary through a use case result. */
export interface User {
  readonly id: UserId;
  readonly phoneNumber: string;
  /** As the user typed it; uniqueness ignores case. */
  readonly username: string | null;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly createdAt: Date;
  readonly lastSeen: Date | null;
  /** Privacy settings (`PATCH /api/users/me`): whether to send read receipts. */
  readonly readReceipts: boolean;
  /** Privacy settings: whether to send typing indicators. */
  readonly typingIndicators: boolean;
}

/** What a user may change of their own account (`PATCH /api/users/me`); absent = unchanged. */
export interface AccountChanges {
  readonly displayName?: string;
  /** `null` clears it. */
  readonly username?: string | null;
  readonly readReceipts?: boolean;
  readonly typingIndicators?: boolean;
}

/** The caller's own view of their account: the profile plus the settings. */
export interface Account {
  readonly profile: Profile;
  readonly readReceipts: boolean;
  readonly typingIndicators: boolean;
}

/** One entry of a user's block list. */
export interface Block {
  readonly blockerId: UserId;
  readonly blockedId: UserId;
  readonly blockedAt: Date;
}

/** What other users may see of a user. */
export interface Profile {
  readonly id: UserId;
  readonly username: string | null;
  readonly displayName: string;
  readonly phoneNumber: string;
  readonly createdAt: Date;
  readonly lastSeen: Date | null;
}

/**
 * A profile as another user sees it: the phone number only where the
 * visibility rule (`canSeePhoneNumber`) allows it, else null.
 */
export interface ProfileView extends Omit<Profile, 'phoneNumber'> {
  readonly phoneNumber: string | null;
}

/** Every presence status (API.md §3), in the contract's order. */
export const PRESENCE_STATUSES = ['active', 'idle', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

export interface Presence {
  readonly status: PresenceStatus;
  readonly lastSeen: Date | null;
}

export interface Message {
  readonly id: MessageId;
  readonly conversationId: ConversationId;
  readonly senderId: UserId;
  readonly receiverId: UserId;
  readonly content: string;
  readonly messageType: string;
  readonly clientMessageId: string | null;
  readonly createdAt: Date;
}

/** A one-to-one conversation; `participants` are sorted ascending (both equal for a note to self). */
export interface Conversation {
  readonly id: ConversationId;
  readonly participants: readonly [UserId, UserId];
  readonly lastMessage: Message;
}

/** A one-time EC prekey. Keys are lowercase hex. */
export interface PreKey {
  readonly keyId: number;
  readonly publicKey: string;
}

/** A signed prekey (EC signed prekey, Kyber one-time or last-resort key). */
export interface SignedPreKey extends PreKey {
  readonly signature: string;
}

/** What a publish stores, besides the two one-time pools. */
export interface KeyBundleHead {
  readonly identityKey: string;
  readonly registrationId: number;
  readonly signedPreKey: SignedPreKey;
  /** The last-resort Kyber key, never consumed; null when the user published no Kyber keys. */
  readonly kyberPreKey: SignedPreKey | null;
}

/** A stored bundle: the head plus the publish it belongs to. */
export interface StoredKeyBundle extends KeyBundleHead {
  /** Changes with every publish; one-time keys belong to exactly one generation. */
  readonly generation: string;
}

/** The two one-time pools' sizes (the last-resort key is not counted). */
export interface PoolCounts {
  readonly count: number;
  readonly kyberCount: number;
}

/** The bundle a fetch hands out: one-time keys already taken out of their pools. */
export interface FetchedBundle {
  readonly identityKey: string;
  readonly registrationId: number;
  readonly signedPreKey: SignedPreKey;
  readonly oneTimePreKey: PreKey | null;
  readonly kyberPreKey: SignedPreKey | null;
}

/** Pool cap per kind (API.md §5). */
export const MAX_POOL_SIZE = 1000;
/** `prekeys-low` is sent when a fetch leaves a pool below this. */
export const PREKEYS_LOW_THRESHOLD = 10;

/** What a call carries; `audio` unless the caller asks for `video`. */
export const CALL_MEDIA = ['audio', 'video'] as const;
export type CallMedia = (typeof CALL_MEDIA)[number];

export function isCallMedia(value: string): value is CallMedia {
  return (CALL_MEDIA as readonly string[]).includes(value);
}

/** How a call ended (API.md §6); null while it lives. */
export const END_REASONS = [
  'hangup',
  'disconnected',
  'timeout',
  'declined',
  'busy',
  'offline',
  'glare',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** A call's status once it has ended (API.md §6). */
export const FINAL_CALL_STATUSES = [
  'completed',
  'missed',
  'rejected',
  'busy',
  'unavailable',
  'glare',
] as const;
export type FinalCallStatus = (typeof FINAL_CALL_STATUSES)[number];

/** A call's status while it lives: ringing, then ongoing once answered. */
export const LIVE_CALL_STATUSES = ['ringing', 'ongoing'] as const;
export type LiveCallStatus = (typeof LIVE_CALL_STATUSES)[number];

/** Live, then final. */
export const CALL_STATUSES = [...LIVE_CALL_STATUSES, ...FINAL_CALL_STATUSES] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** True once a call has ended. */
export function isFinalCallStatus(status: CallStatus): status is FinalCallStatus {
  return !(LIVE_CALL_STATUSES as readonly CallStatus[]).includes(status);
}

/** One row of the call history, recorded from the call's first ring (API.md §6). */
export interface CallRecord {
  readonly id: CallId;
  readonly callerId: UserId;
  readonly calleeId: UserId;
  readonly media: CallMedia;
  readonly status: CallStatus;
  readonly startedAt: Date;
  /** When the callee accepted; null for a call never answered. */
  readonly answeredAt: Date | null;
  /** Null while the call lives. */
  readonly endedAt: Date | null;
  /** Whole seconds from `answeredAt` to `endedAt`; null unless the call was answered and ended. */
  readonly durationSec: number | null;
  readonly endReason: EndReason | null;
}

export type SessionId = Brand<string, 'SessionId'>;
export type VerificationId = Brand<string, 'VerificationId'>;

/**
 * One signed-in device. Every register, login and password reset opens one;
 * its tokens carry its id (`sid`) and stop working when it is ended (deleted).
 */
export interface DeviceSession {
  readonly id: SessionId;
  readonly userId: UserId;
  /** From the client (`deviceName`) or its User-Agent; 1–64 code points. */
  readonly deviceName: string;
  readonly createdAt: Date;
  /** Refreshed by authenticated use, at most once a minute (`SESSION_TOUCH_INTERVAL_MS`). */
  readonly lastSeenAt: Date;
  /** When its token expires; a session is over then even if nobody ended it. */
  readonly expiresAt: Date;
  /** Where to wake the device when it has no socket (`PUT /api/auth/sessions/current/push`). */
  readonly push?: PushRegistration;
}

/** The push services a device can register with (docs/API.md "Push notifications"). */
export const PUSH_KINDS = ['webpush', 'unifiedpush', 'apns', 'fcm'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

/** A Web Push subscription (RFC 8030/8291): what `PushSubscription.toJSON()` gives. */
export interface WebPushRegistration {
  /** `unifiedpush`: a UnifiedPush distributor's endpoint, spoken to as Web Push. */
  readonly kind: 'webpush' | 'unifiedpush';
  readonly endpoint: string;
  /** base64url: the device's P-256 public key and its 16-byte auth secret. */
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** An iOS device: its APNs token, and its PushKit (VoIP) token for calls. */
export interface ApnsRegistration {
  readonly kind: 'apns';
  /** Hex; alert and background pushes. */
  readonly token: string;
  /** Hex; PushKit VoIP pushes (calls). Null: calls are sent as time-sensitive alerts. */
  readonly voipToken: string | null;
  readonly environment: 'sandbox' | 'production';
}

/** An Android (or any Firebase) app instance's registration token. */
export interface FcmRegistration {
  readonly kind: 'fcm';
  readonly token: string;
}

/** One device's push address; a session holds at most one. */
export type PushRegistration = WebPushRegistration | ApnsRegistration | FcmRegistration;

/**
 * What identifies a registration's device at its push service: the endpoint
 * or the token. A device's address belongs to one session at a time.
 */
export function pushAddressOf(registration: PushRegistration): string {
  switch (registration.kind) {
    case 'webpush':
    case 'unifiedpush':
      return `${registration.kind}:${registration.endpoint}`;
    case 'apns':
      return `apns:${registration.token}`;
    case 'fcm':
      return `fcm:${registration.token}`;
  }
}

/** How a verification code reaches the phone. */
export const VERIFICATION_TRANSPORTS = ['sms', 'voice'] as const;
export type VerificationTransport = (typeof VERIFICATION_TRANSPORTS)[number];

/**
 * A proof-of-number in progress (API.md "Phone verification"). The counts
 * (`codesSent`, `attempts`) and `used` come from single-use claims in the
 * store, so they are exact under concurrency.
 */
export interface Verification {
  readonly id: VerificationId;
  /** E.164. */
  readonly phoneNumber: string;
  /** The transport of the last code sent. */
  readonly transport: VerificationTransport;
  readonly createdAt: Date;
  /** The last code's end of validity; once verified, the deadline to use the verification. */
  readonly expiresAt: Date;
  /** Keyed hash of the current code; null when the verifier owns the codes (Twilio). */
  readonly codeHash: string | null;
  /** Codes sent so far, the first included. */
  readonly codesSent: number;
  /** Earliest time of the next resend; null when no more codes will be sent. */
  readonly nextCodeAt: Date | null;
  /** Checks counted so far (right or wrong). */
  readonly attempts: number;
  readonly verifiedAt: Date | null;
  /** True once a register or reset-password consumed it. */
  readonly used: boolean;
}

/** The limits of one verification (API.md, SECURITY.md). */
export const VERIFICATION_RULES = {
  /** Digits in a code. */
  codeLength: 6,
  /** How long a code is valid once sent. */
  codeTtlMs: 10 * 60_000,
  /** Checks per verification (right or wrong), whatever the number of codes. */
  maxAttempts: 5,
  /** Codes per verification, the first included. */
  maxCodes: 5,
  /** Wait before resend n (after code n), in seconds; each shorter than a code's validity. */
  resendDelaysSec: [30, 60, 120, 300] as readonly number[],
  /** Once verified: how long a register or reset-password may still use it. */
  verifiedTtlMs: 10 * 60_000,
} as const;

/** `lastSeenAt` is written at most this often per session. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/**
 * What a user must not miss (docs/API.md "Sync"): each is logged in the
 * user's event log under the next `seq` before it is pushed.
 */
export type SyncEvent =
  /** A message to the user, or one they sent (from any device). */
  | { readonly type: 'new-message'; readonly message: Message }
  /** A device of `to` acknowledged the user's message `messageId`. */
  | {
      readonly type: 'message-delivered';
      readonly messageId: MessageId;
      readonly to: UserId;
      readonly deliveredAt: Date;
    }
  /** `by` read the user's messages to them up to `upTo`. */
  | {
      readonly type: 'messages-read';
      readonly by: UserId;
      readonly upTo: MessageId;
      readonly readAt: Date;
    }
  /** The user read `peerId`'s messages up to `upTo` (on one of their devices). */
  | {
      readonly type: 'conversation-read';
      readonly peerId: UserId;
      readonly upTo: MessageId;
      readonly readAt: Date;
    }
  /** A call to the user ended unanswered. */
  | { readonly type: 'missed-call'; readonly call: CallRecord };

export type SyncEventType = SyncEvent['type'];

/** Every logged event type, in the order of docs/API.md. */
export const SYNC_EVENT_TYPES = [
  'new-message',
  'message-delivered',
  'messages-read',
  'conversation-read',
  'missed-call',
] as const satisfies readonly SyncEventType[];

/** A logged event: `seq` is strictly increasing per user, from 1, without holes; `at` is when it was logged. */
export type LoggedEvent = SyncEvent & { readonly seq: number; readonly at: Date };

/** How long the event log keeps events at least (`EVENT_LOG_RETENTION_DAYS`, default 30). */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;
