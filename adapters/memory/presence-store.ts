/**
 * @module In-process presence: per-connection statuses combined per user. No
 * method awaits between its read and its change, so each transition is
 * atomic on the event loop, as a Redis store's scripts are in a cluster.
 */
import type {
  ConnectionStatus,
  PresenceStatus,
  PresenceStore,
  PresenceTransition,
  UserId,
} from '../../core/index.js';
import { combinePresence } from '../../core/index.js';

/** Presence of this process, honouring every guarantee of `PresenceStore`. */
export function createMemoryPresenceStore(): PresenceStore {
  const connections = new Map<UserId, Map<string, ConnectionStatus>>();

  const statusOf = (userId: UserId): PresenceStatus =>
    combinePresence(connections.get(userId)?.values() ?? []);

  // Runs `change` and reports the combined status around it.
  const transition = (userId: UserId, change: () => void): PresenceTransition => {
    const before = statusOf(userId);
    change();
    return { before, after: statusOf(userId) };
  };

  return {
    async setConnectionStatus(userId, connectionId, status) {
      return transition(userId, () => {
        let mine = connections.get(userId);
        if (!mine) {
          mine = new Map();
          connections.set(userId, mine);
        }
        mine.set(connectionId, status);
      });
    },
    async updateConnectionStatus(userId, connectionId, status) {
      const mine = connections.get(userId);
      if (!mine?.has(connectionId)) return null;
      return transition(userId, () => mine.set(connectionId, status));
    },
    async removeConnection(userId, connectionId) {
      return transition(userId, () => {
        const mine = connections.get(userId);
        mine?.delete(connectionId);
        if (mine?.size === 0) connections.delete(userId);
      });
    },
    async statusOf(userIds) {
      return new Map(userIds.map((id) => [id, statusOf(id)]));
    },
  };
}
