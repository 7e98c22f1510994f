/** @module In-memory messages. */
import type { Message, MessageRepository } from '../../core/index.js';
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
      let count = 0;
      for (const m of byConversation.get(conversationId) ?? []) {
        if (m.senderId !== senderId || m.receiverId !== receiverId) continue;
        if (after === null || compareMessages(m, after) > 0) count++;
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
      const newestFirst = list.slice().reverse();
      const older = before
        ? newestFirst.filter(
            (m) => compareMessages(m, { createdAt: before.createdAt, id: before.id }) < 0,
          )
        : newestFirst;
      return older.slice(offset, offset + limit);
    },
  };
}
