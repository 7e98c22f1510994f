/**
 * @module The `ConversationRepository` contract, run against every adapter:
 * one id per unordered pair however many callers race, `find` never writing,
 * `lastMessage` only moving forward in (`createdAt`, `id`) order (out of order
 * and concurrent), a user's conversations newest first, and a user's peers.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import {
  type ConversationId,
  type ConversationRepository,
  compareMessages,
  conversationParticipants,
  type Message,
  type MessageId,
  type UserId,
} from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const user = () => ids.newId() as UserId;

function message(
  conversationId: ConversationId,
  senderId: UserId,
  receiverId: UserId,
  atMs: number,
  overrides: Partial<Message> = {},
): Message {
  return {
    id: ids.newId() as MessageId,
    conversationId,
    senderId,
    receiverId,
    content: `at ${atMs}`,
    messageType: 'text',
    clientMessageId: null,
    createdAt: new Date(T0 + atMs),
    ...overrides,
  };
}

function shuffled<T>(list: readonly T[]): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Registers the conversation repository contract for one adapter; `setup` gives an empty one. */
export function describeConversationRepositoryContract(
  name: string,
  setup: () => Promise<ConversationRepository> | ConversationRepository,
): void {
  describe(`ConversationRepository contract: ${name}`, () => {
    let conversations: ConversationRepository;

    beforeEach(async () => {
      conversations = await setup();
    });

    const all = (userId: UserId) => conversations.listForUser(userId, { limit: 100, offset: 0 });

    it('removes a conversation: not found, listed or counted as peers, and a new one has a new id', async () => {
      const [a, b, c] = [user(), user(), user()];
      const ab = await conversations.ensure(a, b);
      const ac = await conversations.ensure(a, c);
      await conversations.recordMessage(message(ab, a, b, 1));
      await conversations.recordMessage(message(ac, c, a, 2));
      await conversations.remove(ab);
      await conversations.remove(ab);
      await conversations.remove('malformed' as ConversationId);
      expect(await conversations.find(a, b)).toBeNull();
      expect((await all(a)).map((conv) => conv.id)).toEqual([ac]);
      expect(await all(b)).toEqual([]);
      expect(await conversations.peersOf(a)).toEqual([c]);
      expect(await conversations.peersOf(b)).toEqual([]);
      const again = await conversations.ensure(b, a);
      expect(again).not.toBe(ab);
    });

    it('gives one id per unordered pair, and another to another pair', async () => {
      const [a, b, c] = [user(), user(), user()];
      const ab = await conversations.ensure(a, b);
      expect(await conversations.ensure(b, a)).toBe(ab);
      expect(await conversations.ensure(a, b)).toBe(ab);
      const ac = await conversations.ensure(a, c);
      expect(ac).not.toBe(ab);
      const self = await conversations.ensure(a, a);
      expect([ab, ac]).not.toContain(self);
      expect(await conversations.find(b, a)).toBe(ab);
      expect(await conversations.find(a, a)).toBe(self);
    });

    it('finds nothing for a pair that has no conversation, and never creates one', async () => {
      const [a, b] = [user(), user()];
      expect(await conversations.find(a, b)).toBeNull();
      expect(await conversations.find(a, b)).toBeNull();
      expect(await conversations.find(a, 'malformed' as UserId)).toBeNull();
      const id = await conversations.ensure(a, b);
      expect(await conversations.find(a, b)).toBe(id);
    });

    it('settles many concurrent ensures of one pair on one id', async () => {
      const [a, b] = [user(), user()];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i % 2 === 0 ? conversations.ensure(a, b) : conversations.ensure(b, a),
        ),
      );
      expect(new Set(results).size).toBe(1);
      expect(await conversations.find(a, b)).toBe(results[0]);
    });

    it('lists a conversation only once it has a message, with sorted participants', async () => {
      const [a, b] = [user(), user()];
      const id = await conversations.ensure(a, b);
      expect(await all(a)).toEqual([]);
      const first = message(id, b, a, 0);
      await conversations.recordMessage(first);
      const expected = { id, participants: conversationParticipants(a, b), lastMessage: first };
      expect(await all(a)).toEqual([expected]);
      expect(await all(b)).toEqual([expected]);
      expect(await all(user())).toEqual([]);
      expect(await all('malformed' as UserId)).toEqual([]);
    });

    it('moves lastMessage only forward when messages are recorded out of order', async () => {
      const [a, b] = [user(), user()];
      const id = await conversations.ensure(a, b);
      const newer = message(id, a, b, 2000);
      const older = message(id, b, a, 1000);
      await conversations.recordMessage(newer);
      await conversations.recordMessage(older);
      expect((await all(a))[0]?.lastMessage).toEqual(newer);
      // Equal createdAt: the larger id is the newer one (ids are random, so sort them).
      const [tieLow, tieHigh] = [message(id, a, b, 3000), message(id, a, b, 3000)].sort(
        compareMessages,
      ) as [Message, Message];
      await conversations.recordMessage(tieHigh);
      await conversations.recordMessage(tieLow);
      expect((await all(a))[0]?.lastMessage).toEqual(tieHigh);
      await conversations.recordMessage(newer);
      expect((await all(b))[0]?.lastMessage).toEqual(tieHigh);
      expect(await all(a)).toHaveLength(1);
    });

    it('settles concurrent recordMessage calls on the newest message', async () => {
      const [a, b] = [user(), user()];
      const id = await conversations.ensure(a, b);
      const list = Array.from({ length: 30 }, (_, i) =>
        message(id, i % 2 ? a : b, i % 2 ? b : a, Math.floor(i / 3) * 10),
      );
      const newest = [...list].sort(compareMessages).at(-1)!;
      await Promise.all(shuffled(list).map((m) => conversations.recordMessage(m)));
      expect(await all(a)).toEqual([
        { id, participants: conversationParticipants(a, b), lastMessage: newest },
      ]);
    });

    it("lists a user's conversations newest lastMessage first, with limit and offset", async () => {
      const me = user();
      const peers = Array.from({ length: 5 }, () => user());
      const last: Message[] = [];
      for (const [i, peer] of peers.entries()) {
        const id = await conversations.ensure(me, peer);
        // Times 0, 30, 10, 40, 20: listing order differs from creation order.
        const at = ((i * 3) % 5) * 10;
        await conversations.recordMessage(message(id, me, peer, at - 5));
        const latest = message(id, peer, me, at);
        await conversations.recordMessage(latest);
        last.push(latest);
      }
      const self = await conversations.ensure(me, me);
      const note = message(self, me, me, 25);
      await conversations.recordMessage(note);
      const expected = [...last, note].sort(compareMessages).reverse();
      const listed = await all(me);
      expect(listed.map((c) => c.lastMessage)).toEqual(expected);
      expect(listed.find((c) => c.id === self)?.participants).toEqual([me, me]);
      const page = await conversations.listForUser(me, { limit: 2, offset: 1 });
      expect(page.map((c) => c.lastMessage)).toEqual(expected.slice(1, 3));
      expect(await conversations.listForUser(me, { limit: 10, offset: 6 })).toEqual([]);
      expect(await all(peers[0]!)).toHaveLength(1);
    });

    it('names the peers a user shares a conversation with, each once, never the user', async () => {
      const [me, b, c, stranger] = [user(), user(), user(), user()];
      const sorted = (list: UserId[]) => [...list].sort();
      expect(await conversations.peersOf(me)).toEqual([]);
      await conversations.ensure(me, me);
      expect(await conversations.peersOf(me)).toEqual([]);
      const withB = await conversations.ensure(b, me);
      await conversations.ensure(me, b);
      // From the first ensure on, with or without a message.
      await conversations.ensure(me, c);
      await conversations.recordMessage(message(withB, b, me, 0));
      await conversations.ensure(b, c);
      await conversations.ensure(stranger, stranger);
      expect(sorted(await conversations.peersOf(me))).toEqual(sorted([b, c]));
      expect(sorted(await conversations.peersOf(b))).toEqual(sorted([me, c]));
      expect(sorted(await conversations.peersOf(c))).toEqual(sorted([me, b]));
      expect(await conversations.peersOf(stranger)).toEqual([]);
      expect(await conversations.peersOf(user())).toEqual([]);
      expect(await conversations.peersOf('malformed' as UserId)).toEqual([]);
    });
  });
}
