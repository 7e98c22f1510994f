/** @module Delivery marks in memory: the first `record` of a message sets it, later ones read it. */
import type { ConversationId, DeliveryRepository, MessageId } from '../../core/index.js';

export function createMemoryDeliveryRepository(): DeliveryRepository {
  const marks = new Map<MessageId, { deliveredAt: Date; conversationId: ConversationId }>();

  return {
    async record(message, at) {
      const current = marks.get(message.id);
      if (current !== undefined) return { deliveredAt: current.deliveredAt, first: false };
      marks.set(message.id, { deliveredAt: at, conversationId: message.conversationId });
      return { deliveredAt: at, first: true };
    },
    async find(messageIds) {
      const found = new Map<MessageId, Date>();
      for (const id of messageIds) {
        const mark = marks.get(id);
        if (mark !== undefined) found.set(id, mark.deliveredAt);
      }
      return found;
    },
    async removeConversation(conversationId) {
      for (const [id, mark] of marks) {
        if (mark.conversationId === conversationId) marks.delete(id);
      }
    },
  };
}
