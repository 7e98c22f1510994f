/** @module Delivery marks in memory: the first `record` of a message sets it, later ones read it. */
import type { DeliveryRepository, MessageId } from '../../core/index.js';

export function createMemoryDeliveryRepository(): DeliveryRepository {
  const marks = new Map<MessageId, Date>();

  return {
    async record(messageId, at) {
      const current = marks.get(messageId);
      if (current !== undefined) return { deliveredAt: current, first: false };
      marks.set(messageId, at);
      return { deliveredAt: at, first: true };
    },
    async find(messageIds) {
      const found = new Map<MessageId, Date>();
      for (const id of messageIds) {
        const at = marks.get(id);
        if (at !== undefined) found.set(id, at);
      }
      return found;
    },
  };
}
