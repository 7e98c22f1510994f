/**
 * @module In-memory device sessions. No method awaits between its check and
 * its change, so each is atomic on the event loop. Push addresses are indexed
 * (address → session) so that one device's address has one session.
 */
import {
  type DeviceSession,
  pushAddressOf,
  type SessionId,
  type SessionRepository,
  type UserId,
} from '../../core/index.js';

export function createMemorySessionRepository(): SessionRepository {
  const byId = new Map<string, DeviceSession>();
  const idsByUser = new Map<UserId, Set<SessionId>>();
  const byAddress = new Map<string, SessionId>();

  const withoutPush = (session: DeviceSession): DeviceSession => {
    const { push, ...rest } = session;
    if (push !== undefined && byAddress.get(pushAddressOf(push)) === session.id) {
      byAddress.delete(pushAddressOf(push));
    }
    return rest;
  };

  const remove = (session: DeviceSession) => {
    withoutPush(session);
    byId.delete(session.id);
    const ids = idsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) idsByUser.delete(session.userId);
  };

  return {
    async create(session) {
      // Oldest first (a Set keeps insertion order), and every session lives one
      // JWT_TTL, so the expired ones lead: the sweep stops at the first live one
      // rather than walking every session of a user who logs in often. One out
      // of order (the clock stepped back) goes once those before it expire.
      for (const id of idsByUser.get(session.userId) ?? []) {
        const old = byId.get(id);
        if (old && old.expiresAt > session.createdAt) break;
        if (old) remove(old);
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
    async setPush(userId, id, push) {
      const session = byId.get(id);
      if (!session || session.userId !== userId) return false;
      let next = withoutPush(session);
      if (push !== null) {
        const address = pushAddressOf(push);
        const holder = byAddress.get(address);
        const other = holder === undefined ? undefined : byId.get(holder);
        if (other !== undefined) byId.set(other.id, withoutPush(other));
        byAddress.set(address, id);
        next = { ...next, push };
      }
      byId.set(id, next);
      return true;
    },
    async clearPush(id, push) {
      const session = byId.get(id);
      if (session?.push === undefined || pushAddressOf(session.push) !== pushAddressOf(push)) {
        return false;
      }
      byId.set(id, withoutPush(session));
      return true;
    },
  };
}
