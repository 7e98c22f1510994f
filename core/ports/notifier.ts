/** @module Pushes to users' live connections. */
import type { Message, PoolCounts, PresenceStatus, UserId } from '../model.js';

/** What the core pushes; the transport turns each into a wire frame. */
export type Notification =
  | { readonly type: 'new-message'; readonly message: Message }
  | { readonly type: 'prekeys-low'; readonly counts: PoolCounts }
  | {
      readonly type: 'presence-update';
      readonly userId: UserId;
      readonly status: PresenceStatus;
      readonly lastSeen: Date | null;
    };

export interface NotifyOptions {
  /** A connection of the user that must not receive this push (the sending device). */
  readonly exceptConnectionId?: string;
}

/** Delivers to every live connection of a user; a user without connections gets nothing. */
export interface Notifier {
  notify(userId: UserId, notification: Notification, options?: NotifyOptions): Promise<void>;
}
