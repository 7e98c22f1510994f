/** @module A deliberate pull of users' presence. */
import type { Deps } from '../deps.js';
import type { Presence, UserId } from '../model.js';

/**
 * Live status and stored `lastSeen` of each known user among `userIds`;
 * unknown and malformed ids are left out.
 */
export async function getPresence(
  deps: Pick<Deps, 'users' | 'presence'>,
  input: { readonly userIds: readonly string[] },
): Promise<Map<UserId, Presence>> {
  const users = await deps.users.findByIds(input.userIds);
  const statuses = await deps.presence.statusOf(users.map((user) => user.id));
  const byId = new Map(users.map((user) => [user.id, user]));
  const result = new Map<UserId, Presence>();
  // Answer in request order, once per id.
  for (const id of input.userIds) {
    const user = byId.get(id as UserId);
    if (user && !result.has(user.id)) {
      result.set(user.id, {
        status: statuses.get(user.id) ?? 'offline',
        lastSeen: user.lastSeen,
      });
    }
  }
  return result;
}
