/** @module Pushes to devices that have no socket (APNs, FCM, Web Push), as one port. */
import type { CallId, CallMedia, PushKind, PushRegistration, SessionId, UserId } from '../model.js';
import type { CallEndedReason } from './notifier.js';

/** What a push tells a device; each provider adapter encodes it (docs/API.md "Push notifications"). */
export type PushMessage =
  /** A call rings for this device until `deadline`. */
  | {
      readonly type: 'call';
      readonly callId: CallId;
      readonly from: UserId;
      readonly fromDisplayName: string;
      readonly media: CallMedia;
      readonly deadline: Date;
    }
  /** The call pushed before has stopped ringing here (the callee's `call-ended` reason). */
  | { readonly type: 'call-cancel'; readonly callId: CallId; readonly reason: CallEndedReason }
  /**
   * Content-free: something is new up to `seq`. `badge`, the user's unread
   * total, once the server counts unread messages; absent until then.
   */
  | { readonly type: 'sync'; readonly seq: number; readonly badge?: number };

/** One push to one device. */
export interface PushDelivery {
  readonly userId: UserId;
  readonly sessionId: SessionId;
  readonly registration: PushRegistration;
  readonly message: PushMessage;
}

/**
 * Sends pushes in the background. `send` only queues: it never waits for a
 * push service, never throws, and drops what a full queue cannot take, so
 * call signaling is never delayed by a slow or failing provider. Retries,
 * the deletion of registrations a provider calls dead, and metrics are the
 * adapter's.
 */
export interface PushSender {
  /** The registration kinds this server can push to; empty when push is off. */
  readonly kinds: ReadonlySet<PushKind>;
  /** Endpoints may be `http:` and name loopback or private hosts (a setting for tests). */
  readonly allowPrivateEndpoints: boolean;
  send(deliveries: readonly PushDelivery[]): void;
}
