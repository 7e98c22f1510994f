/** @module Where each user has read each conversation up to (docs/API.md "Read receipts"). */
import type { ConversationId, MessageId, UserId } from '../model.js';

/** `userId` has read `conversationId` up to the message `messageId` (sent at `createdAt`). */
export interface ReadMark {
  readonly userId: UserId;
  readonly conversationId: ConversationId;
  readonly messageId: MessageId;
  /** The message's `createdAt`: marks order by (`createdAt`, `messageId`), as messages do. */
  readonly createdAt: Date;
  readonly readAt: Date;
}

/**
 * Read marks. Guarantee: `latest` is the newest mark recorded, in message
 * order, whatever the order and concurrency of `record`s (two devices
 * marking at once never move it back).
 */
export interface ReadMarkRepository {
  /** Records a mark; recording one already there changes nothing. */
  record(mark: ReadMark): Promise<void>;
  /** The newest mark of `userId` in each of `conversationIds` that has one. */
  latest(
    userId: UserId,
    conversationIds: readonly ConversationId[],
  ): Promise<Map<ConversationId, ReadMark>>;
}
