/** @module The message store. */
import type { ConversationId, Message, UserId } from '../model.js';

/** Where a page of messages starts: strictly older than this (`createdAt`, `id`) pair. */
export interface MessageCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export interface MessagePage {
  readonly limit: number;
  readonly offset: number;
  readonly before?: MessageCursor;
}

/**
 * Messages, ordered by (`createdAt`, `id`).
 *
 * Guarantee: a (`senderId`, `clientMessageId`) pair is stored at most once,
 * even under concurrent inserts; `null` client ids never collide.
 */
export interface MessageRepository {
  /**
   * Stores `message` durably, unless its sender already stored one under the same
   * `clientMessageId`: then nothing is written and the first one is returned
   * with `created: false`.
   */
  insert(message: Message): Promise<{ message: Message; created: boolean }>;
  findById(id: string): Promise<Message | null>;
  findByClientMessageId(senderId: UserId, clientMessageId: string): Promise<Message | null>;
  /** Whether `senderId` ever sent a message to `receiverId` (a note to self counts for itself). */
  hasSent(senderId: UserId, receiverId: UserId): Promise<boolean>;
  /**
   * How many messages of the conversation `senderId` sent to `receiverId`
   * after `after` (all of them when null), in (`createdAt`, `id`) order.
   */
  countAfter(
    conversationId: ConversationId,
    senderId: UserId,
    receiverId: UserId,
    after: MessageCursor | null,
  ): Promise<number>;
  /** A page of the conversation's messages, newest first. */
  listInConversation(conversationId: ConversationId, page: MessagePage): Promise<Message[]>;
  /** Deletes every message of the conversation (erasure once nobody can read it); idempotent. */
  removeConversation(conversationId: ConversationId): Promise<void>;
}
