/** @module Live presence: which users have connections, and how active they are. */
import type { PresenceStatus, UserId } from '../model.js';

/** A connection's own status; a connection that exists is never `offline`. */
export type ConnectionStatus = Exclude<PresenceStatus, 'offline'>;

/** A user's combined status right before and right after one change. */
export interface PresenceTransition {
  readonly before: PresenceStatus;
  readonly after: PresenceStatus;
}

/**
 * Per-connection statuses combined per user: `active` if any connection is
 * active, else `idle`, and `offline` when none is left.
 *
 * Guarantee: each change is one atomic step that reports the user's combined
 * status right before and right after it, so of any number of concurrent
 * changes of one user's connections (on any number of instances) the
 * transitions returned chain up (each one's `before` is another's `after`, or
 * the initial status), and "did the combined status change?" is answered by
 * `before !== after` without a separate read that another change could
 * overtake.
 */
export interface PresenceStore {
  /** Records a connection's status (adding the connection if new). */
  setConnectionStatus(
    userId: UserId,
    connectionId: string,
    status: ConnectionStatus,
  ): Promise<PresenceTransition>;
  /**
   * Changes the status of a connection the store holds; null, changing
   * nothing, when it holds no such connection (closed already), so a late
   * update never brings a closed connection back.
   */
  updateConnectionStatus(
    userId: UserId,
    connectionId: string,
    status: ConnectionStatus,
  ): Promise<PresenceTransition | null>;
  /** Forgets a connection (nothing changes for an unknown one: `before === after`). */
  removeConnection(userId: UserId, connectionId: string): Promise<PresenceTransition>;
  /** Combined statuses; users without connections are `offline`. */
  statusOf(userIds: readonly UserId[]): Promise<Map<UserId, PresenceStatus>>;
}
