/** @module A deliberate pull of users' presence. */
import type { Deps } from '../deps.js';
import type { Presence, UserId } from '../model.js';
import { presenceSeenBy } from './blocking/shared.js';

/**
 * Live status and stored `lastSeen` of each known user among `userIds`;
 * unknown and malformed ids are left out. Users who block `callerId` (the
 * caller) show as offline since the block.
 */
export async function getPresence(
  deps: Pick<Deps, 'users' | 'presence' | 'blocks'>,
  input: { readonly userIds: readonly string[]; readonly callerId: UserId },
): Promise<Map<UserId, Presence>> {
  const users = await deps.users.findByIds(input.userIds);
  const [statuses, blocks] = await Promise.all([
    deps.presence.statusOf(users.map((user) => user.id)),
    deps.blocks.findBlocking(
      users.map((user) => user.id),
      input.callerId,
    ),
  ]);
  const blockBy = new Map(blocks.map((block) => [block.blockerId, block]));
  const byId = new Map(users.map((user) => [user.id, user]));
  const result = new Map<UserId, Presence>();
  // Answer in request order, once per id.
  for (const id of input.userIds) {
    const user = byId.get(id as UserId);
    if (user && !result.has(user.id)) {
      const status = statuses.get(user.id) ?? 'offline';
      result.set(user.id, presenceSeenBy(user, status, blockBy.get(user.id) ?? null));
    }
  }
  return result;
}
