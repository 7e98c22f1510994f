/** @module Live presence: which users have connections, and how active they are. */
import type { PresenceStatus, UserId } from '../model.js';

/**
 * Per-connection statuses combined per user: `active` if any connection is
 * active, else `idle`, and `offline` when none is left.
 */
export interface PresenceStore {
  /** Records a connection's status; returns the user's combined status afterwards. */
  setConnectionStatus(
    userId: UserId,
    connectionId: string,
    status: Exclude<PresenceStatus, 'offline'>,
  ): Promise<PresenceStatus>;
  /** Forgets a connection; returns the user's combined status afterwards. */
  removeConnection(userId: UserId, connectionId: string): Promise<PresenceStatus>;
  /** Combined statuses; users without connections are `offline`. */
  statusOf(userIds: readonly UserId[]): Promise<Map<UserId, PresenceStatus>>;
}
