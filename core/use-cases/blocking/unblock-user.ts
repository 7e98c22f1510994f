/** @module Lifts a block (`DELETE /api/users/me/blocked/:userId`). */
import type { Deps } from '../../deps.js';
import type { UserId } from '../../model.js';
import { pushPresenceTo } from './shared.js';

/**
 * Removes the block of `blockedId` by `blockerId`, if any (unknown and
 * malformed ids: nothing to remove, no error). When a block was removed and
 * the formerly blocked user hears the blocker's presence (partner or
 * subscriber), they get the blocker's real presence at once; everything else
 * simply works again from the next request or frame.
 */
export async function unblockUser(
  deps: Pick<
    Deps,
    'users' | 'blocks' | 'presence' | 'conversations' | 'presenceSubscriptions' | 'notifier'
  >,
  input: { readonly blockerId: UserId; readonly blockedId: string },
): Promise<void> {
  const removed = await deps.blocks.unblock(input.blockerId, input.blockedId as UserId);
  if (!removed) return;
  const blocker = await deps.users.findById(input.blockerId);
  if (!blocker) return;
  const status = (await deps.presence.statusOf([blocker.id])).get(blocker.id) ?? 'offline';
  await pushPresenceTo(deps, blocker.id, input.blockedId as UserId, {
    status,
    lastSeen: blocker.lastSeen,
  });
}
