/**
 * @module In-memory device sessions. No method awaits between its check and
 * its change, so each is atomic on the event loop.
 */
import type { DeviceSession, SessionId, SessionRepository, UserId } from '../../core/index.js';

export function createMemorySessionRepository(): SessionRepository {
  const byId = new Map<string, DeviceSession>();
  const idsByUser = new Map<UserId, Set<SessionId>>();

  const remove = (session: DeviceSession) => {
    byId.delete(session.id);
    const ids = idsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) idsByUser.delete(session.userId);
  };

  return {
    async create(session) {
      for (const id of [...(idsByUser.get(session.userId) ?? [])]) {
        const old = byId.get(id);
        if (old && old.expiresAt <= session.createdAt) remove(old);
      }
      byId.set(session.id, session);
      const ids = idsByUser.get(session.userId);
      if (ids) ids.add(session.id);
      else idsByUser.set(session.userId, new Set([session.id]));
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async listForUser(userId, now) {
      const sessions = [...(idsByUser.get(userId) ?? [])]
        .flatMap((id) => byId.get(id) ?? [])
        .filter((session) => session.expiresAt > now);
      return sessions.sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
      );
    },
    async touch(id, at, minIntervalMs) {
      const session = byId.get(id);
      if (session && session.lastSeenAt.getTime() <= at.getTime() - minIntervalMs) {
        byId.set(id, { ...session, lastSeenAt: at });
      }
    },
    async delete(userId, id) {
      const session = byId.get(id);
      if (!session || session.userId !== userId) return false;
      remove(session);
      return true;
    },
    async deleteAllExcept(userId, keep) {
      const ended: SessionId[] = [];
      for (const id of [...(idsByUser.get(userId) ?? [])]) {
        const session = byId.get(id);
        if (session && id !== keep) {
          remove(session);
          ended.push(id);
        }
      }
      return ended;
    },
  };
}
