/**
 * @module Delivery marks in MongoDB (`deliveries`): one document per
 * delivered message, `_id` = the message id, written by `insertOne` only;
 * the conversation id beside it erases them with their conversation.
 *
 * Why insert-only: "set `deliveredAt` unless set" is a conditional update,
 * not atomic on FerretDB, where two devices acknowledging at once could both
 * see it unset and both win (two `message-delivered` events, the second time
 * overwriting the first). The unique `_id` decides instead, on MongoDB and
 * FerretDB alike: exactly one insert succeeds, every other one gets a
 * duplicate-key error and reads the mark that stands, which never changes.
 *
 * Crash analysis: a crash after the insert and before the caller logs
 * `message-delivered` leaves the mark without its event; later acks find the
 * mark and log nothing, so the sender sees the tick in the history
 * (`deliveredAt`) but gets no push. Never two events, never a moved time.
 */
import type { Db } from 'mongodb';
import type { DeliveryRepository, MessageId } from '../../core/index.js';
import { isDuplicateKeyError, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface DeliveryDoc {
  _id: string;
  conversationId: string;
  deliveredAt: Date;
}

export function createMongoDeliveryRepository(db: Db): DeliveryRepository {
  const deliveries = db.collection<DeliveryDoc>(COLLECTIONS.deliveries);

  return withMongoErrors<DeliveryRepository>({
    async record(message, at) {
      const messageId = message.id;
      try {
        await deliveries.insertOne({
          _id: messageId,
          conversationId: message.conversationId,
          deliveredAt: at,
        });
        return { deliveredAt: at, first: true };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const standing = await deliveries.findOne({ _id: messageId });
      // Marks go only with their conversation, so the winner's insert is still there.
      if (standing === null) throw new Error(`Delivery mark of ${messageId} vanished`);
      return { deliveredAt: standing.deliveredAt, first: false };
    },
    async find(messageIds) {
      const found = new Map<MessageId, Date>();
      if (messageIds.length === 0) return found;
      const docs = await deliveries.find({ _id: { $in: [...messageIds] } }).toArray();
      for (const doc of docs) found.set(doc._id as MessageId, doc.deliveredAt);
      return found;
    },
    async removeConversation(conversationId) {
      await deliveries.deleteMany({ conversationId });
    },
  });
}
