/** @module In-memory users. */
import { DomainError, type User, type UserId, type UserRepository } from '../../core/index.js';

export function createMemoryUserRepository(): UserRepository {
  const byId = new Map<string, User>();
  const idByPhone = new Map<string, UserId>();
  const idByUsername = new Map<string, UserId>();
  // Deletions recorded and not finished, with when.
  const pending = new Map<UserId, Date>();

  const remove = (id: string) => {
    const user = byId.get(id);
    if (!user) return false;
    byId.delete(id);
    idByPhone.delete(user.phoneNumber);
    const usernameKey = user.username?.toLowerCase();
    if (usernameKey !== undefined) idByUsername.delete(usernameKey);
    return true;
  };

  return {
    async create(user) {
      // Check-then-set without an await in between: atomic on the event loop.
      if (idByPhone.has(user.phoneNumber))
        throw new DomainError('PHONE_TAKEN', 'This phone number is already registered.');
      const usernameKey = user.username?.toLowerCase();
      if (usernameKey !== undefined && idByUsername.has(usernameKey)) {
        throw new DomainError('USERNAME_TAKEN', 'This username is taken.');
      }
      byId.set(user.id, user);
      idByPhone.set(user.phoneNumber, user.id);
      if (usernameKey !== undefined) idByUsername.set(usernameKey, user.id);
      return user;
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async findByIds(ids) {
      const found: User[] = [];
      for (const id of new Set(ids)) {
        const user = byId.get(id);
        if (user) found.push(user);
      }
      return found;
    },
    async findByPhoneNumber(phoneNumber) {
      const id = idByPhone.get(phoneNumber);
      return id === undefined ? null : (byId.get(id) ?? null);
    },
    async findByPhoneNumbers(phoneNumbers) {
      const found: User[] = [];
      for (const phone of new Set(phoneNumbers)) {
        const id = idByPhone.get(phone);
        const user = id === undefined ? undefined : byId.get(id);
        if (user) found.push(user);
      }
      return found;
    },
    async findByUsername(username) {
      const id = idByUsername.get(username.toLowerCase());
      return id === undefined ? null : (byId.get(id) ?? null);
    },
    async setPasswordHash(id, passwordHash) {
      const user = byId.get(id);
      if (!user) return false;
      byId.set(id, { ...user, passwordHash });
      return true;
    },
    async setLastSeen(id, at) {
      const user = byId.get(id);
      if (user) byId.set(id, { ...user, lastSeen: at });
    },
    async update(id, changes) {
      // No await until the end: the check and the writes are one step on the event loop.
      const user = byId.get(id);
      if (!user) return null;
      const oldKey = user.username?.toLowerCase();
      const username = changes.username === undefined ? user.username : changes.username;
      const newKey = username?.toLowerCase();
      if (newKey !== undefined && newKey !== oldKey && idByUsername.has(newKey)) {
        throw new DomainError('USERNAME_TAKEN', 'This username is taken.');
      }
      const updated: User = {
        ...user,
        username,
        displayName: changes.displayName ?? user.displayName,
        readReceipts: changes.readReceipts ?? user.readReceipts,
        typingIndicators: changes.typingIndicators ?? user.typingIndicators,
      };
      if (oldKey !== newKey) {
        if (oldKey !== undefined) idByUsername.delete(oldKey);
        if (newKey !== undefined) idByUsername.set(newKey, user.id);
      }
      byId.set(id, updated);
      return updated;
    },
    async delete(id, at) {
      if (!pending.has(id)) pending.set(id, at);
      return remove(id);
    },
    async pendingDeletions(limit) {
      return [...pending]
        .sort(([a, at], [b, bt]) => at.getTime() - bt.getTime() || (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([id]) => id);
    },
    async finishDeletion(id) {
      remove(id);
      pending.delete(id);
    },
  };
}
