/**
 * @module The `DeliveryRepository` contract, run against every adapter: the
 * first record of a message wins and never changes, exactly one of many
 * concurrent records answers `first`, and `find` reads marks back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { DeliveryRepository, MessageId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));

export function describeDeliveryRepositoryContract(
  name: string,
  setup: () => Promise<DeliveryRepository> | DeliveryRepository,
): void {
  describe(`DeliveryRepository contract: ${name}`, () => {
    let deliveries: DeliveryRepository;
    beforeEach(async () => {
      deliveries = await setup();
    });

    it('keeps the first time a message was recorded; later records answer it', async () => {
      const id = ids.newId() as MessageId;
      expect(await deliveries.record(id, at(5))).toEqual({ deliveredAt: at(5), first: true });
      expect(await deliveries.record(id, at(9))).toEqual({ deliveredAt: at(5), first: false });
      expect(await deliveries.record(id, at(1))).toEqual({ deliveredAt: at(5), first: false });
      expect(await deliveries.find([id])).toEqual(new Map([[id, at(5)]]));
    });

    it('lets exactly one of many concurrent records win, and all answer its time', async () => {
      const id = ids.newId() as MessageId;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) => deliveries.record(id, at(10 + n))),
      );
      const winners = results.filter((r) => r.first);
      expect(winners).toHaveLength(1);
      for (const r of results) expect(r.deliveredAt).toEqual(winners[0]!.deliveredAt);
      expect((await deliveries.find([id])).get(id)).toEqual(winners[0]!.deliveredAt);
    });

    it('finds only the messages that have a mark, and nothing for an empty list', async () => {
      const [a, b, c] = [ids.newId(), ids.newId(), ids.newId()] as MessageId[];
      await deliveries.record(a!, at(1));
      await deliveries.record(c!, at(3));
      expect(await deliveries.find([a!, b!, c!])).toEqual(
        new Map([
          [a!, at(1)],
          [c!, at(3)],
        ]),
      );
      expect(await deliveries.find([])).toEqual(new Map());
    });
  });
}
