/** @module Blocks a user (`PUT /api/users/me/blocked/:userId`). */
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import type { Block, UserId } from '../../model.js';
import { endLiveCall, presenceAsBlocked, pushPresenceTo } from './shared.js';

export type BlockUserDeps = Pick<
  Deps,
  | 'users'
  | 'blocks'
  | 'presence'
  | 'conversations'
  | 'presenceSubscriptions'
  | 'notifier'
  | 'callState'
  | 'calls'
  | 'scheduler'
  | 'clock'
  | 'callQueue'
  | 'sessions'
  | 'pushes'
>;

/**
 * Makes `blockerId` block `blockedId` (again: nothing changes, the first
 * `blockedAt` stays) and applies it to live connections at once, on every
 * instance (both effects go through the shared stores and the notifier): a
 * call between the two ends as `disconnected` for both, and when the blocked
 * user hears the blocker's presence (a conversation partner or subscriber),
 * they get one last `presence-update` showing the blocker offline. From then
 * on the checks in the other use cases apply (docs/API.md, "Blocking").
 *
 * `VALIDATION_FAILED` for oneself; `USER_NOT_FOUND` for an unknown or
 * malformed id.
 */
export async function blockUser(
  deps: BlockUserDeps,
  input: { readonly blockerId: UserId; readonly blockedId: string },
): Promise<Block> {
  if (input.blockedId === input.blockerId) {
    throw ValidationError.at('userId', 'You cannot block yourself.');
  }
  const [blocker, blocked] = await Promise.all([
    deps.users.findById(input.blockerId),
    deps.users.findById(input.blockedId),
  ]);
  if (!blocked) throw new DomainError('USER_NOT_FOUND', 'No such user.');
  if (!blocker) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists.');
  const block = await deps.blocks.block({
    blockerId: blocker.id,
    blockedId: blocked.id,
    blockedAt: deps.clock.now(),
  });
  await endLiveCall(deps, blocker.id, blocked.id);
  const status = (await deps.presence.statusOf([blocker.id])).get(blocker.id) ?? 'offline';
  if (status !== 'offline') {
    await pushPresenceTo(deps, blocker.id, blocked.id, presenceAsBlocked(blocker, block));
  }
  return block;
}
