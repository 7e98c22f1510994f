/** @module In-memory messages. */
import type { Message, MessageCursor, MessageRepository } from '../../core/index.js';
import { compareMessages } from '../../core/index.js';

export function createMemoryMessageRepository(): MessageRepository {
  const byId = new Map<string, Message>();
  const byClientId = new Map<string, Message>();
  /** Per conversation, oldest first. */
  const byConversation = new Map<string, Message[]>();
  /** `sender>receiver` of every pair with a message. */
  const pairs = new Set<string>();

  return {
    async insert(message) {
      if (message.clientMessageId !== null) {
        const key = `${message.senderId}\u0000${message.clientMessageId}`;
        const existing = byClientId.get(key);
        if (existing) return { message: existing, created: false };
        byClientId.set(key, message);
      }
      byId.set(message.id, message);
      pairs.add(`${message.senderId}>${message.receiverId}`);
      const list = byConversation.get(message.conversationId) ?? [];
      // Keep (createdAt, id) order even if a message arrives out of order.
      let at = list.length;
      while (at > 0 && compareMessages(list[at - 1]!, message) > 0) at--;
      list.splice(at, 0, message);
      byConversation.set(message.conversationId, list);
      return { message, created: true };
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async findByClientMessageId(senderId, clientMessageId) {
      return byClientId.get(`${senderId}\u0000${clientMessageId}`) ?? null;
    },
    async hasSent(senderId, receiverId) {
      return pairs.has(`${senderId}>${receiverId}`);
    },
    async countAfter(conversationId, senderId, receiverId, after) {
      const list = byConversation.get(conversationId) ?? [];
      let count = 0;
      // Only the messages after the cursor are looked at: an unread tail is short.
      for (let i = after === null ? 0 : countBefore(list, after, true); i < list.length; i++) {
        const m = list[i]!;
        if (m.senderId === senderId && m.receiverId === receiverId) count++;
      }
      return count;
    },
    async removeConversation(conversationId) {
      for (const message of byConversation.get(conversationId) ?? []) {
        byId.delete(message.id);
        if (message.clientMessageId !== null) {
          byClientId.delete(`${message.senderId}\u0000${message.clientMessageId}`);
        }
        // One conversation is one pair: none of the pair's messages is left.
        pairs.delete(`${message.senderId}>${message.receiverId}`);
      }
      byConversation.delete(conversationId);
    },
    async listInConversation(conversationId, { limit, offset, before }) {
      const list = byConversation.get(conversationId) ?? [];
      // Newest first, from the last message older than `before`: a page costs its own length.
      const end = (before ? countBefore(list, before, false) : list.length) - offset;
      const page: Message[] = [];
      for (let i = end - 1; i >= 0 && page.length < limit; i--) page.push(list[i]!);
      return page;
    },
  };
}

/** How many messages of `list` (in order) come before `cursor`; with `orAt`, also the one at it. */
function countBefore(list: readonly Message[], cursor: MessageCursor, orAt: boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = compareMessages(list[mid]!, cursor);
    if (order < 0 || (orAt && order === 0)) low = mid + 1;
    else high = mid;
  }
  return low;
}
