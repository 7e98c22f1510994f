/**
 * @module Read marks in MongoDB (`read_marks`): one document per mark,
 * `_id` = `<conversation>:<user>:<message>`, and `latest` reads the newest
 * per conversation through the (`userId`, `conversationId`, `at`,
 * `messageId`) index.
 *
 * Inserts only, like conversation heads: a "set unless newer" update is not
 * atomic on FerretDB, where two devices marking at once could move the mark
 * back; a set of marks whose newest is read back cannot. Marks older than
 * the newest are deleted after a new one is recorded (a crash in between
 * leaves a few behind, which `latest` never shows).
 */
import type { Db } from 'mongodb';
import type {
  ConversationId,
  MessageId,
  ReadMark,
  ReadMarkRepository,
  UserId,
} from '../../core/index.js';
import { isDuplicateKeyError, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface MarkDoc {
  _id: string;
  userId: string;
  conversationId: string;
  messageId: string;
  at: Date;
  readAt: Date;
}

export function createMongoReadMarkRepository(db: Db): ReadMarkRepository {
  const marks = db.collection<MarkDoc>(COLLECTIONS.readMarks);

  async function newest(userId: string, conversationId: string): Promise<MarkDoc | null> {
    return marks.find({ userId, conversationId }).sort({ at: -1, messageId: -1 }).limit(1).next();
  }

  return withMongoErrors<ReadMarkRepository>({
    async record(mark) {
      try {
        await marks.insertOne({
          _id: `${mark.conversationId}:${mark.userId}:${mark.messageId}`,
          userId: mark.userId,
          conversationId: mark.conversationId,
          messageId: mark.messageId,
          at: mark.createdAt,
          readAt: mark.readAt,
        });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        return;
      }
      const top = await newest(mark.userId, mark.conversationId);
      if (top === null) return;
      await marks.deleteMany({
        userId: mark.userId,
        conversationId: mark.conversationId,
        $or: [{ at: { $lt: top.at } }, { at: top.at, messageId: { $lt: top.messageId } }],
      });
    },
    async latest(userId, conversationIds) {
      const found = new Map<ConversationId, ReadMark>();
      const docs = await Promise.all(conversationIds.map((id) => newest(userId, id)));
      for (const doc of docs) {
        if (doc === null) continue;
        found.set(doc.conversationId as ConversationId, {
          userId: doc.userId as UserId,
          conversationId: doc.conversationId as ConversationId,
          messageId: doc.messageId as MessageId,
          createdAt: doc.at,
          readAt: doc.readAt,
        });
      }
      return found;
    },
  });
}
