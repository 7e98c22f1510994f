/**
 * @module The `DeliveryRepository` contract, run against every adapter: the
 * first record of a message wins and never changes, exactly one of many
 * concurrent records answers `first`, `find` reads marks back, and marks go
 * with their conversation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { ConversationId, DeliveryRepository, MessageId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));
const conversation = ids.newId() as ConversationId;
const messageIn = (conversationId: ConversationId = conversation) => ({
  id: ids.newId() as MessageId,
  conversationId,
});

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
      const message = messageIn();
      const { id } = message;
      expect(await deliveries.record(message, at(5))).toEqual({ deliveredAt: at(5), first: true });
      expect(await deliveries.record(message, at(9))).toEqual({ deliveredAt: at(5), first: false });
      expect(await deliveries.record(message, at(1))).toEqual({ deliveredAt: at(5), first: false });
      expect(await deliveries.find([id])).toEqual(new Map([[id, at(5)]]));
    });

    it('lets exactly one of many concurrent records win, and all answer its time', async () => {
      const message = messageIn();
      const { id } = message;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) => deliveries.record(message, at(10 + n))),
      );
      const winners = results.filter((r) => r.first);
      expect(winners).toHaveLength(1);
      for (const r of results) expect(r.deliveredAt).toEqual(winners[0]!.deliveredAt);
      expect((await deliveries.find([id])).get(id)).toEqual(winners[0]!.deliveredAt);
    });

    it('finds only the messages that have a mark, and nothing for an empty list', async () => {
      const [a, b, c] = [messageIn(), messageIn(), messageIn()];
      await deliveries.record(a, at(1));
      await deliveries.record(c, at(3));
      expect(await deliveries.find([a.id, b.id, c.id])).toEqual(
        new Map([
          [a.id, at(1)],
          [c.id, at(3)],
        ]),
      );
      expect(await deliveries.find([])).toEqual(new Map());
    });

    it('erases the marks of one conversation only, idempotently', async () => {
      const other = ids.newId() as ConversationId;
      const [gone, kept] = [messageIn(), messageIn(other)];
      await deliveries.record(gone, at(1));
      await deliveries.record(kept, at(2));
      await deliveries.removeConversation(conversation);
      await deliveries.removeConversation(conversation);
      expect(await deliveries.find([gone.id, kept.id])).toEqual(new Map([[kept.id, at(2)]]));
    });
  });
}
