/** @module In-process presence: per-connection statuses combined per user. */
import type { PresenceStatus, PresenceStore, UserId } from '../../core/index.js';
import { combinePresence } from '../../core/index.js';

export function createMemoryPresenceStore(): PresenceStore {
  const connections = new Map<UserId, Map<string, Exclude<PresenceStatus, 'offline'>>>();

  const statusOf = (userId: UserId): PresenceStatus =>
    combinePresence(connections.get(userId)?.values() ?? []);

  return {
    async setConnectionStatus(userId, connectionId, status) {
      let mine = connections.get(userId);
      if (!mine) {
        mine = new Map();
        connections.set(userId, mine);
      }
      mine.set(connectionId, status);
      return statusOf(userId);
    },
    async removeConnection(userId, connectionId) {
      const mine = connections.get(userId);
      mine?.delete(connectionId);
      if (mine?.size === 0) connections.delete(userId);
      return statusOf(userId);
    },
    async statusOf(userIds) {
      return new Map(userIds.map((id) => [id, statusOf(id)]));
    },
  };
}
