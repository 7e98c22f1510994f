/** @module In-memory blocks. */
import type { Block, BlockRepository, UserId } from '../../core/index.js';

export function createMemoryBlockRepository(): BlockRepository {
  // blocker → blocked → block
  const byBlocker = new Map<string, Map<string, Block>>();

  return {
    async block(block) {
      const mine = byBlocker.get(block.blockerId) ?? new Map<string, Block>();
      byBlocker.set(block.blockerId, mine);
      const existing = mine.get(block.blockedId);
      if (existing) return existing;
      mine.set(block.blockedId, block);
      return block;
    },
    async unblock(blockerId, blockedId) {
      return byBlocker.get(blockerId)?.delete(blockedId) ?? false;
    },
    async find(blockerId, blockedId) {
      return byBlocker.get(blockerId)?.get(blockedId) ?? null;
    },
    async listByBlocker(blockerId) {
      return [...(byBlocker.get(blockerId)?.values() ?? [])].sort(newestFirst);
    },
    async findBlocking(blockerIds, blockedId) {
      return [...new Set(blockerIds)].flatMap((id) => byBlocker.get(id)?.get(blockedId) ?? []);
    },
    async removeAllOf(userId: UserId) {
      byBlocker.delete(userId);
      for (const mine of byBlocker.values()) mine.delete(userId);
    },
  };
}

function newestFirst(a: Block, b: Block): number {
  const byTime = b.blockedAt.getTime() - a.blockedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.blockedId < b.blockedId ? -1 : a.blockedId > b.blockedId ? 1 : 0;
}
