/**
 * @module The `BlockRepository` contract, run against every adapter: one
 * block per ordered pair (the first `blockedAt` kept, also under concurrent
 * blocks), unblock reported once, lists newest first, lookups over many
 * blockers, removal of everything naming a user, malformed ids never blocked.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { Block, BlockRepository, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const newId = () => ids.newId() as UserId;
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));

/** Registers the block repository contract for one adapter; `setup` gives an empty repository. */
export function describeBlockRepositoryContract(
  name: string,
  setup: () => Promise<BlockRepository> | BlockRepository,
): void {
  describe(`BlockRepository contract: ${name}`, () => {
    let blocks: BlockRepository;
    beforeEach(async () => {
      blocks = await setup();
    });

    it('stores a block one way only, and finds it', async () => {
      const [a, b] = [newId(), newId()];
      const block: Block = { blockerId: a, blockedId: b, blockedAt: at(1) };
      expect(await blocks.block(block)).toEqual(block);
      expect(await blocks.find(a, b)).toEqual(block);
      expect(await blocks.find(b, a)).toBeNull();
    });

    it('keeps the first blockedAt when blocked again', async () => {
      const [a, b] = [newId(), newId()];
      await blocks.block({ blockerId: a, blockedId: b, blockedAt: at(1) });
      const again = await blocks.block({ blockerId: a, blockedId: b, blockedAt: at(9) });
      expect(again.blockedAt).toEqual(at(1));
      expect(await blocks.listByBlocker(a)).toHaveLength(1);
    });

    it('stores one block of many concurrent ones, and every caller gets that one', async () => {
      const [a, b] = [newId(), newId()];
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          blocks.block({ blockerId: a, blockedId: b, blockedAt: at(i) }),
        ),
      );
      const stored = await blocks.find(a, b);
      expect(
        answers.every((answer) => answer.blockedAt.getTime() === stored?.blockedAt.getTime()),
      ).toBe(true);
      expect(await blocks.listByBlocker(a)).toHaveLength(1);
    });

    it('reports an unblock once, even under concurrent unblocks', async () => {
      const [a, b] = [newId(), newId()];
      await blocks.block({ blockerId: a, blockedId: b, blockedAt: at(1) });
      const removed = await Promise.all(Array.from({ length: 5 }, () => blocks.unblock(a, b)));
      expect(removed.filter(Boolean)).toHaveLength(1);
      expect(await blocks.find(a, b)).toBeNull();
      expect(await blocks.unblock(a, b)).toBe(false);
      // Blocking again after an unblock starts afresh.
      expect(
        (await blocks.block({ blockerId: a, blockedId: b, blockedAt: at(7) })).blockedAt,
      ).toEqual(at(7));
    });

    it("lists a blocker's blocks newest first, and nobody else's", async () => {
      const [a, b, c, d] = [newId(), newId(), newId(), newId()];
      await blocks.block({ blockerId: a, blockedId: b, blockedAt: at(1) });
      await blocks.block({ blockerId: a, blockedId: c, blockedAt: at(3) });
      await blocks.block({ blockerId: d, blockedId: a, blockedAt: at(2) });
      expect((await blocks.listByBlocker(a)).map((x) => x.blockedId)).toEqual([c, b]);
      expect(await blocks.listByBlocker(b)).toEqual([]);
    });

    it('finds which of many users block one user', async () => {
      const [target, x, y, z] = [newId(), newId(), newId(), newId()];
      await blocks.block({ blockerId: x, blockedId: target, blockedAt: at(1) });
      await blocks.block({ blockerId: z, blockedId: target, blockedAt: at(2) });
      await blocks.block({ blockerId: y, blockedId: x, blockedAt: at(3) });
      const found = await blocks.findBlocking([x, y, z, x, 'garbage', ''], target);
      expect(found.map((block) => block.blockerId).sort()).toEqual([x, z].sort());
      expect(await blocks.findBlocking([], target)).toEqual([]);
    });

    it('treats malformed ids as never blocked', async () => {
      expect(await blocks.find('nope', newId())).toBeNull();
      expect(await blocks.find(newId(), '')).toBeNull();
      expect(await blocks.unblock('x' as UserId, 'y' as UserId)).toBe(false);
    });

    it('removes every block a user made or is the target of, and no other', async () => {
      const [gone, b, c] = [newId(), newId(), newId()];
      await blocks.block({ blockerId: gone, blockedId: b, blockedAt: at(1) });
      await blocks.block({ blockerId: c, blockedId: gone, blockedAt: at(2) });
      await blocks.block({ blockerId: c, blockedId: b, blockedAt: at(3) });
      await blocks.removeAllOf(gone);
      await blocks.removeAllOf(gone);
      expect(await blocks.listByBlocker(gone)).toEqual([]);
      expect((await blocks.listByBlocker(c)).map((x) => x.blockedId)).toEqual([b]);
    });
  });
}
