/**
 * @module The `MessageRepository` contract, run against every adapter:
 * durable inserts, one message per (sender, `clientMessageId`) even under
 * concurrency, `null` client ids never colliding, and pages ordered newest
 * first by (`createdAt`, `id`) with the `before` cursor.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type {
  ConversationId,
  Message,
  MessageId,
  MessageRepository,
  UserId,
} from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function newMessage(overrides: Partial<Message> = {}): Message {
  return {
    id: ids.newId() as MessageId,
    conversationId: ids.newId() as ConversationId,
    senderId: ids.newId() as UserId,
    receiverId: ids.newId() as UserId,
    content: 'hello',
    messageType: 'text',
    clientMessageId: null,
    createdAt: new Date(T0),
    ...overrides,
  };
}

// `n` messages of one conversation, `createdAt` one second apart, oldest first.
function conversation(n: number, base: Partial<Message> = {}): Message[] {
  const conversationId = ids.newId() as ConversationId;
  const senderId = ids.newId() as UserId;
  const receiverId = ids.newId() as UserId;
  return Array.from({ length: n }, (_, i) =>
    newMessage({
      conversationId,
      senderId: i % 2 === 0 ? senderId : receiverId,
      receiverId: i % 2 === 0 ? receiverId : senderId,
      content: `message ${i}`,
      createdAt: new Date(T0 + i * 1000),
      ...base,
    }),
  );
}

function shuffled<T>(list: readonly T[]): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Registers the message repository contract for one adapter; `setup` gives an empty repository. */
export function describeMessageRepositoryContract(
  name: string,
  setup: () => Promise<MessageRepository> | MessageRepository,
): void {
  describe(`MessageRepository contract: ${name}`, () => {
    let messages: MessageRepository;

    beforeEach(async () => {
      messages = await setup();
    });

    const page = (conversationId: string, limit = 100, offset = 0) =>
      messages.listInConversation(conversationId as ConversationId, { limit, offset });

    it("removes a conversation's messages, ids, client ids and pair, and no other's; idempotent", async () => {
      const gone = conversation(3, { clientMessageId: null });
      const kept = conversation(2);
      const withClientId = { ...gone[0]!, clientMessageId: 'c-1' };
      for (const message of [withClientId, ...gone.slice(1), ...kept])
        await messages.insert(message);
      await messages.removeConversation(gone[0]!.conversationId);
      await messages.removeConversation(gone[0]!.conversationId);
      await messages.removeConversation('malformed' as ConversationId);
      expect(await page(gone[0]!.conversationId)).toEqual([]);
      expect(await messages.findById(gone[1]!.id)).toBeNull();
      expect(await messages.findByClientMessageId(withClientId.senderId, 'c-1')).toBeNull();
      expect(await messages.hasSent(gone[0]!.senderId, gone[0]!.receiverId)).toBe(false);
      expect(await messages.hasSent(gone[1]!.senderId, gone[1]!.receiverId)).toBe(false);
      expect(await page(kept[0]!.conversationId)).toHaveLength(2);
      expect(await messages.hasSent(kept[0]!.senderId, kept[0]!.receiverId)).toBe(true);
    });

    it('stores a message and finds it by id, every field intact', async () => {
      const message = newMessage({
        content: 'héllo 👋 \u0000 <b>',
        messageType: 'e2ee_v1',
        clientMessageId: 'client-1',
        createdAt: new Date('2026-03-01T12:00:00.123Z'),
      });
      expect(await messages.insert(message)).toEqual({ message, created: true });
      expect(await messages.findById(message.id)).toEqual(message);
      expect(await messages.findByClientMessageId(message.senderId, 'client-1')).toEqual(message);
    });

    it('counts one direction of a conversation after a message, ties by id', async () => {
      const list = conversation(6);
      for (const m of shuffled(list)) await messages.insert(m);
      const { conversationId, senderId, receiverId } = list[0]!;
      // Even positions go sender → receiver: 0, 2, 4.
      expect(await messages.countAfter(conversationId, senderId, receiverId, null)).toBe(3);
      const cursor = { createdAt: list[2]!.createdAt, id: list[2]!.id };
      expect(await messages.countAfter(conversationId, senderId, receiverId, cursor)).toBe(1);
      expect(await messages.countAfter(conversationId, receiverId, senderId, cursor)).toBe(2);
      const tie = newMessage({
        conversationId,
        senderId,
        receiverId,
        createdAt: list[4]!.createdAt,
      });
      await messages.insert(tie);
      const atFour = { createdAt: list[4]!.createdAt, id: list[4]!.id };
      expect(await messages.countAfter(conversationId, senderId, receiverId, atFour)).toBe(
        tie.id > list[4]!.id ? 1 : 0,
      );
      expect(await messages.countAfter(conversationId, senderId, receiverId, null)).toBe(4);
      expect(await messages.countAfter('nope' as ConversationId, senderId, receiverId, null)).toBe(
        0,
      );
    });

    it('treats unknown and malformed ids as unknown', async () => {
      await messages.insert(newMessage());
      expect(await messages.findById(ids.newId())).toBeNull();
      for (const bad of ['', 'nope', 'g'.repeat(24)]) {
        expect(await messages.findById(bad)).toBeNull();
        expect(await messages.findByClientMessageId(bad as UserId, 'x')).toBeNull();
        expect(await page(bad)).toEqual([]);
      }
      expect(await page(ids.newId())).toEqual([]);
    });

    it('tells whether a sender ever wrote to a receiver, one direction only', async () => {
      const message = newMessage();
      expect(await messages.hasSent(message.senderId, message.receiverId)).toBe(false);
      await messages.insert(message);
      expect(await messages.hasSent(message.senderId, message.receiverId)).toBe(true);
      expect(await messages.hasSent(message.receiverId, message.senderId)).toBe(false);
      expect(await messages.hasSent(message.senderId, ids.newId() as UserId)).toBe(false);
      expect(await messages.hasSent('nope' as UserId, message.receiverId)).toBe(false);
    });

    it('returns the first message for a repeated clientMessageId, storing nothing', async () => {
      const first = newMessage({ clientMessageId: 'retry-me', content: 'first' });
      await messages.insert(first);
      const retry = newMessage({
        conversationId: first.conversationId,
        senderId: first.senderId,
        receiverId: first.receiverId,
        clientMessageId: 'retry-me',
        content: 'second',
        createdAt: new Date(T0 + 5000),
      });
      expect(await messages.insert(retry)).toEqual({ message: first, created: false });
      expect(await messages.findById(retry.id)).toBeNull();
      expect(await page(first.conversationId)).toEqual([first]);
    });

    it('keeps clientMessageIds apart per sender', async () => {
      const a = newMessage({ clientMessageId: 'same' });
      const b = newMessage({ clientMessageId: 'same' });
      expect((await messages.insert(a)).created).toBe(true);
      expect((await messages.insert(b)).created).toBe(true);
      expect(await messages.findByClientMessageId(a.senderId, 'same')).toEqual(a);
      expect(await messages.findByClientMessageId(b.senderId, 'same')).toEqual(b);
      expect(await messages.findByClientMessageId(a.senderId, 'other')).toBeNull();
    });

    it('never lets null clientMessageIds collide', async () => {
      const list = conversation(10);
      for (const message of list) expect((await messages.insert(message)).created).toBe(true);
      expect(await page(list[0]!.conversationId)).toHaveLength(10);
    });

    it('stores exactly one of many concurrent inserts with one clientMessageId', async () => {
      const base = newMessage({ clientMessageId: 'concurrent' });
      const attempts = Array.from({ length: 25 }, (_, i) =>
        newMessage({ ...base, id: ids.newId() as MessageId, content: `attempt ${i}` }),
      );
      const results = await Promise.all(attempts.map((m) => messages.insert(m)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = results.find((r) => r.created)!.message;
      for (const result of results) expect(result.message).toEqual(stored);
      expect(await page(base.conversationId)).toEqual([stored]);
    });

    it('lists a conversation newest first with limit and offset, and nothing else', async () => {
      const list = conversation(7);
      for (const message of shuffled(list)) await messages.insert(message);
      await messages.insert(newMessage({ createdAt: new Date(T0 + 3500) }));
      const newestFirst = [...list].reverse();
      const id = list[0]!.conversationId;
      expect(await page(id)).toEqual(newestFirst);
      expect(await page(id, 3)).toEqual(newestFirst.slice(0, 3));
      expect(await page(id, 3, 2)).toEqual(newestFirst.slice(2, 5));
      expect(await page(id, 10, 6)).toEqual(newestFirst.slice(6));
      expect(await page(id, 10, 7)).toEqual([]);
    });

    it('orders messages with equal createdAt by id', async () => {
      const conversationId = ids.newId() as ConversationId;
      const same = new Date(T0);
      const list = Array.from({ length: 6 }, () => newMessage({ conversationId, createdAt: same }));
      const older = newMessage({ conversationId, createdAt: new Date(T0 - 1) });
      const newer = newMessage({ conversationId, createdAt: new Date(T0 + 1) });
      for (const message of shuffled([...list, older, newer])) await messages.insert(message);
      const byIdDesc = [...list].sort((x, y) => (x.id < y.id ? 1 : -1));
      expect(await page(conversationId)).toEqual([newer, ...byIdDesc, older]);
    });

    it('pages with a before cursor: strictly older in (createdAt, id), offset within', async () => {
      const conversationId = ids.newId() as ConversationId;
      // Pairs of messages share a createdAt, so the cursor must break ties by id.
      const list = Array.from({ length: 10 }, (_, i) =>
        newMessage({ conversationId, createdAt: new Date(T0 + Math.floor(i / 2) * 1000) }),
      );
      for (const message of shuffled(list)) await messages.insert(message);
      const newestFirst = [...list].sort((x, y) =>
        x.createdAt.getTime() !== y.createdAt.getTime()
          ? y.createdAt.getTime() - x.createdAt.getTime()
          : x.id < y.id
            ? 1
            : -1,
      );
      expect(await page(conversationId)).toEqual(newestFirst);
      for (let at = 0; at < newestFirst.length; at++) {
        const cursor = newestFirst[at]!;
        const before = { createdAt: cursor.createdAt, id: cursor.id };
        const older = await messages.listInConversation(conversationId, {
          limit: 3,
          offset: 1,
          before,
        });
        expect(older).toEqual(newestFirst.slice(at + 2, at + 5));
        const all = await messages.listInConversation(conversationId, {
          limit: 100,
          offset: 0,
          before,
        });
        expect(all).toEqual(newestFirst.slice(at + 1));
      }
    });
  });
}
