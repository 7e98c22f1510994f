/**
 * @module Messages in MongoDB (`messages` collection, `_id` the message's
 * ObjectId), read newest first through the (`conversationId`, `createdAt`,
 * `_id`) index.
 *
 * Optional unique `clientMessageId` without a partial or sparse index: every
 * document has a `clientKey`, unique together with `senderId`, holding
 * `'c:' + clientMessageId` or, for a message without one, `'n:' + _id`. The
 * prefixes keep the two forms apart whatever a client sends, so `null` client
 * ids never collide. The insert is the idempotency check: of any number of
 * concurrent inserts under one (sender, client id) exactly one is stored, and
 * the others read it back after their E11000.
 *
 * Text a store cannot hold: PostgreSQL's `jsonb` (FerretDB's PostgreSQL
 * backend) refuses U+0000 anywhere in a document or a filter. Such a message
 * is refused by its insert, the first write that carries its text, so nothing
 * of it is stored; the caller gets `VALIDATION_FAILED` at the field that holds
 * the character (a `clientMessageId` holding one can never have been stored,
 * so looking it up answers "none").
 *
 * `removeConversation` is one `deleteMany` by conversation (through the
 * index): a crash part-way leaves some of its messages, which the next call
 * (the deletion sweep runs it again) removes.
 */
import type { Db, Filter, ObjectId } from 'mongodb';
import { type Message, type MessageRepository, ValidationError } from '../../core/index.js';
import {
  isDuplicateKeyError,
  isUnstorableTextError,
  toObjectId,
  withMongoErrors,
} from './connect.js';
import { COLLECTIONS } from './indexes.js';
import { fromMessageFields, type MessageFields, toMessageFields } from './message-fields.js';

interface MessageDoc extends MessageFields {
  clientKey: string;
}

/** The message store on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoMessageRepository(db: Db): MessageRepository {
  const messages = db.collection<MessageDoc>(COLLECTIONS.messages);

  async function findByClientKey(senderId: ObjectId, clientMessageId: string) {
    try {
      return fromDoc(await messages.findOne({ senderId, clientKey: `c:${clientMessageId}` }));
    } catch (error) {
      if (isUnstorableTextError(error)) return null;
      throw error;
    }
  }

  return withMongoErrors<MessageRepository>({
    async insert(message) {
      const doc = toDoc(message);
      try {
        await messages.insertOne(doc);
        return { message, created: true };
      } catch (error) {
        if (isUnstorableTextError(error)) throw unstorable(message);
        if (!isDuplicateKeyError(error) || message.clientMessageId === null) throw error;
        const first = await findByClientKey(doc.senderId, message.clientMessageId);
        if (!first) throw error;
        return { message: first, created: false };
      }
    },
    async findById(id) {
      const _id = toObjectId(id);
      if (!_id) return null;
      return fromDoc(await messages.findOne({ _id }));
    },
    async findByClientMessageId(senderId, clientMessageId) {
      const sender = toObjectId(senderId);
      if (!sender) return null;
      return findByClientKey(sender, clientMessageId);
    },
    async hasSent(senderId, receiverId) {
      const sender = toObjectId(senderId);
      const receiver = toObjectId(receiverId);
      if (!sender || !receiver) return false;
      const found = await messages.findOne(
        { senderId: sender, receiverId: receiver },
        { projection: { _id: 1 } },
      );
      return found !== null;
    },
    async countAfter(conversationId, senderId, receiverId, after) {
      const conversation = toObjectId(conversationId);
      const sender = toObjectId(senderId);
      const receiver = toObjectId(receiverId);
      if (!conversation || !sender || !receiver) return 0;
      const filter: Filter<MessageDoc> = {
        conversationId: conversation,
        senderId: sender,
        receiverId: receiver,
      };
      if (after) {
        const afterId = toObjectId(after.id);
        filter.$or = [
          { createdAt: { $gt: after.createdAt } },
          ...(afterId ? [{ createdAt: after.createdAt, _id: { $gt: afterId } }] : []),
        ];
      }
      return messages.countDocuments(filter);
    },
    async removeConversation(conversationId) {
      const conversation = toObjectId(conversationId);
      if (!conversation) return;
      await messages.deleteMany({ conversationId: conversation });
    },
    async listInConversation(conversationId, { limit, offset, before }) {
      const conversation = toObjectId(conversationId);
      if (!conversation || limit <= 0) return [];
      const filter: Filter<MessageDoc> = { conversationId: conversation };
      if (before) {
        const beforeId = toObjectId(before.id);
        filter.$or = [
          { createdAt: { $lt: before.createdAt } },
          ...(beforeId ? [{ createdAt: before.createdAt, _id: { $lt: beforeId } }] : []),
        ];
      }
      const docs = await messages
        .find(filter)
        .sort({ createdAt: -1, _id: -1 })
        .skip(offset)
        .limit(limit)
        .toArray();
      return docs.map((doc) => fromDoc(doc)!);
    },
  });
}

function toDoc(message: Message): MessageDoc {
  return {
    ...toMessageFields(message),
    clientKey:
      message.clientMessageId === null ? `n:${message.id}` : `c:${message.clientMessageId}`,
  };
}

function fromDoc(doc: MessageDoc | null): Message | null {
  return doc === null ? null : fromMessageFields(doc);
}

// The refusal of a message whose text holds a character the store cannot keep.
function unstorable(message: Message): ValidationError {
  const path = message.content.includes('\u0000') ? 'content' : 'clientMessageId';
  return ValidationError.at(
    path,
    'This server stores messages in PostgreSQL, which cannot hold U+0000 (NUL); leave it out or encode the text.',
  );
}
