/**
 * @module The `ReadMarkRepository` contract, run against every adapter: the
 * newest mark in message order wins, whatever the order of records, also
 * when many are recorded at once; a repeat changes nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type {
  ConversationId,
  MessageId,
  ReadMark,
  ReadMarkRepository,
  UserId,
} from '../../core/index.js';

const ids = createObjectIdGenerator();
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));

export function describeReadMarkRepositoryContract(
  name: string,
  setup: () => Promise<ReadMarkRepository> | ReadMarkRepository,
): void {
  describe(`ReadMarkRepository contract: ${name}`, () => {
    let marks: ReadMarkRepository;
    beforeEach(async () => {
      marks = await setup();
    });
    const user = ids.newId() as UserId;
    const mark = (conversationId: ConversationId, second: number): ReadMark => ({
      userId: user,
      conversationId,
      messageId: ids.newId() as MessageId,
      createdAt: at(second),
      readAt: at(50 + second),
    });

    it('keeps the newest mark per conversation, whatever the order of records', async () => {
      const [c1, c2, c3] = [ids.newId(), ids.newId(), ids.newId()] as ConversationId[];
      const [early, late] = [mark(c1!, 1), mark(c1!, 5)];
      await marks.record(late);
      await marks.record(early);
      await marks.record(late);
      await marks.record(mark(c2!, 2));
      const found = await marks.latest(user, [c1!, c2!, c3!]);
      expect(found.get(c1!)).toEqual(late);
      expect(found.get(c2!)?.createdAt).toEqual(at(2));
      expect(found.has(c3!)).toBe(false);
      expect((await marks.latest(ids.newId() as UserId, [c1!])).size).toBe(0);
    });

    it('settles on the newest of many concurrent marks', async () => {
      const conversation = ids.newId() as ConversationId;
      const all = Array.from({ length: 20 }, (_, i) => mark(conversation, i + 1));
      await Promise.all([...all].reverse().map((m) => marks.record(m)));
      expect((await marks.latest(user, [conversation])).get(conversation)).toEqual(all.at(-1));
    });
  });
}
