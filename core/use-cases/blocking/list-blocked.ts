/** @module The caller's block list (`GET /api/users/me/blocked`). */
import type { Deps } from '../../deps.js';
import type { Profile, UserId } from '../../model.js';
import { toProfile } from '../session.js';

export interface BlockedEntry {
  readonly user: Profile;
  readonly blockedAt: Date;
}

/** Who `blockerId` blocks, newest block first; users whose account is gone are left out. */
export async function listBlocked(
  deps: Pick<Deps, 'users' | 'blocks'>,
  input: { readonly blockerId: UserId },
): Promise<BlockedEntry[]> {
  const blocks = await deps.blocks.listByBlocker(input.blockerId);
  const users = new Map(
    (await deps.users.findByIds(blocks.map((block) => block.blockedId))).map((u) => [u.id, u]),
  );
  return blocks.flatMap((block) => {
    const user = users.get(block.blockedId);
    return user ? [{ user: toProfile(user), blockedAt: block.blockedAt }] : [];
  });
}
