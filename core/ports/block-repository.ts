/** @module Who blocks whom (`/api/users/me/blocked`). */
import type { Block, UserId } from '../model.js';

/**
 * Blocks, one per ordered pair (blocker, blocked).
 *
 * Guarantees: a pair is stored at most once however many `block` calls race,
 * and keeps the `blockedAt` of the first; `unblock` reports a removal to at
 * most one of concurrent callers; reads reflect every write that returned
 * before them (no cache), on every instance.
 */
export interface BlockRepository {
  /** Stores the block unless the pair is stored already; returns the stored one either way. */
  block(block: Block): Promise<Block>;
  /** Removes the pair's block; false when there was none. */
  unblock(blockerId: UserId, blockedId: UserId): Promise<boolean>;
  /** The pair's block, if any. Malformed ids are simply not blocked. */
  find(blockerId: string, blockedId: string): Promise<Block | null>;
  /** The blocks `blockerId` made, newest `blockedAt` first (then by blocked id). */
  listByBlocker(blockerId: UserId): Promise<Block[]>;
  /** Of `blockerIds`, the blocks that block `blockedId`, in no particular order. */
  findBlocking(blockerIds: readonly string[], blockedId: UserId): Promise<Block[]>;
  /** Removes every block `userId` made or is the target of (account deletion). */
  removeAllOf(userId: UserId): Promise<void>;
}
