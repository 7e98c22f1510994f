/** @module Read marks in memory: the newest per user and conversation. */
import { compareMessages, type ReadMark, type ReadMarkRepository } from '../../core/index.js';

export function createMemoryReadMarkRepository(): ReadMarkRepository {
  const newest = new Map<string, ReadMark>();
  const order = (mark: ReadMark) => ({ createdAt: mark.createdAt, id: mark.messageId });

  return {
    async record(mark) {
      const key = `${mark.userId}:${mark.conversationId}`;
      const current = newest.get(key);
      if (!current || compareMessages(order(current), order(mark)) < 0) newest.set(key, mark);
    },
    async latest(userId, conversationIds) {
      const found = new Map<ReadMark['conversationId'], ReadMark>();
      for (const id of conversationIds) {
        const mark = newest.get(`${userId}:${id}`);
        if (mark) found.set(id, mark);
      }
      return found;
    },
  };
}
