/** @module When each message first reached a device of its receiver (docs/API.md "Delivered receipts"). */
import type { ConversationId, Message, MessageId } from '../model.js';

export interface DeliveryMark {
  /** The first recorded delivery time of the message. */
  readonly deliveredAt: Date;
  /** This call recorded it: only the first of any number of concurrent calls is `true`. */
  readonly first: boolean;
}

/**
 * Delivery marks, one per message. Guarantee: whatever the order and
 * concurrency of `record`s (devices and instances at once), a message's
 * `deliveredAt` is set once and never changes, and exactly one `record`
 * answers `first: true`.
 */
export interface DeliveryRepository {
  /** Marks `message` delivered at `at` unless it already is; answers the mark that stands. */
  record(message: Pick<Message, 'id' | 'conversationId'>, at: Date): Promise<DeliveryMark>;
  /** The `deliveredAt` of each of `messageIds` that has one. */
  find(messageIds: readonly MessageId[]): Promise<Map<MessageId, Date>>;
  /** Deletes the marks of the conversation's messages (erased with them); idempotent. */
  removeConversation(conversationId: ConversationId): Promise<void>;
}
