/** @module Pushes to users' live connections. */
import type {
  CallId,
  CallMedia,
  LoggedEvent,
  PoolCounts,
  PresenceStatus,
  UserId,
} from '../model.js';

/**
 * Fields of a client's call frame that the server passes on untouched (`sdp`,
 * `candidate`, …). Never `callId`, `from` or `reason`: the server sets those.
 */
export interface PassthroughFields {
  readonly [field: string]: unknown;
}

/** Why a call ended, as `call-ended` tells it (API.md §7). */
export type CallEndedReason =
  | 'hangup'
  | 'timeout'
  | 'disconnected'
  | 'glare'
  | 'answered-elsewhere'
  | 'rejected-elsewhere';

/** The relayed signaling frames (API.md §7). */
export type CallSignalType = 'offer' | 'answer' | 'ice-candidate';

/** `call-user` as the callee's connections receive it. */
export interface CallUserPayload extends PassthroughFields {
  readonly callId: CallId;
  readonly from: UserId;
  readonly fromDisplayName: string;
  readonly media: CallMedia;
}

/** Anything relayed from one party to the other: the client's fields plus `callId` and `from`. */
export interface RelayedCallPayload extends PassthroughFields {
  readonly callId: CallId;
  readonly from: UserId;
}

export interface CallRejectedPayload extends RelayedCallPayload {
  /** `declined` relays the callee's `call-rejected`; `busy` is the server's (`from` is the callee). */
  readonly reason: 'declined' | 'busy';
}

export interface CallEndedPayload extends PassthroughFields {
  readonly callId: CallId;
  /** The party who hung up; absent when the server ended the call. */
  readonly from?: UserId;
  readonly reason: CallEndedReason;
}

/** The call events of API.md §7; `payload` is the frame's payload as sent on the wire. */
export type CallNotification =
  | { readonly type: 'call-user'; readonly payload: CallUserPayload }
  | {
      readonly type: 'call-ringing';
      readonly payload: { readonly callId: CallId; readonly to: UserId };
    }
  | {
      readonly type: 'call-unavailable';
      readonly payload: {
        readonly callId: CallId;
        readonly to: UserId;
        readonly reason: 'offline';
      };
    }
  | { readonly type: 'call-accepted'; readonly payload: RelayedCallPayload }
  | { readonly type: 'call-rejected'; readonly payload: CallRejectedPayload }
  | { readonly type: 'call-ended'; readonly payload: CallEndedPayload }
  | { readonly type: CallSignalType; readonly payload: RelayedCallPayload };

/** `typing` as the peer's connections receive it; never logged. */
export interface TypingNotification {
  readonly type: 'typing';
  readonly from: UserId;
  readonly active: boolean;
}

/**
 * What the core pushes; the transport turns each into a wire frame. Logged
 * events (`new-message`, receipts, missed calls) carry their `seq`.
 */
export type Notification =
  | LoggedEvent
  | TypingNotification
  | { readonly type: 'prekeys-low'; readonly counts: PoolCounts }
  | {
      readonly type: 'presence-update';
      readonly userId: UserId;
      readonly status: PresenceStatus;
      readonly lastSeen: Date | null;
    }
  | CallNotification;

export interface NotifyOptions {
  /** A connection of the user that must not receive this push (the sending device). */
  readonly exceptConnectionId?: string;
}

/**
 * Delivers to a user's live connections; a user without connections gets
 * nothing. Pushes to one user are delivered in the order they were made.
 */
export interface Notifier {
  /** To every live connection of `userId` (but `options.exceptConnectionId`). */
  notify(userId: UserId, notification: Notification, options?: NotifyOptions): Promise<void>;
  /**
   * To the one connection `connectionId` of `userId` (a caller's calling
   * connection, a callee's accepting one); nothing when it is gone.
   */
  notifyConnection(userId: UserId, connectionId: string, notification: Notification): Promise<void>;
}
