/**
 * @module Conversations in MongoDB: `conversations` holds one document per
 * unordered pair (`a` <= `b`, unique together), `conversation_heads` holds
 * candidates for each conversation's last message.
 *
 * `ensure` is race-safe through the unique pair index: find, else insert, and
 * on E11000 read the winner's document.
 *
 * Why heads are separate documents: a conditional update ("set lastMessage
 * unless a newer one is there") is atomic on MongoDB but not on FerretDB 1.24,
 * whose updates read, then write the whole document back by `_id` without
 * re-checking the filter, so two concurrent sends can leave the older message
 * as last. Inserts and deletes are exact on both servers, so `recordMessage`
 * only inserts and deletes, one head per message:
 *   1. insert a head for the message (unique per message, so a repeat is a no-op);
 *   2. delete the conversation's heads older than it, in (`createdAt`, `id`) order;
 *   3. if a newer head exists, delete its own.
 * The newest head is never deleted (nothing is newer), every older head is
 * removed by the newest one's step 2 or by its own step 3, so once concurrent
 * calls have finished exactly the newest message remains: `lastMessage` only
 * moves forward. `listForUser` reads heads newest first and keeps the first
 * head of each conversation, so a stale head that lingers in between (or after
 * a crash between steps 1 and 3) is never shown.
 *
 * `peersOf` reads `conversations` (one document per pair, from the first
 * `ensure` on), through the pair index for `a` and `conversations_by_b`.
 *
 * A message insert and its `recordMessage` cannot share a transaction. A crash
 * between the two leaves the message stored (the 201 never went out, or it did
 * and the message is durable) and the conversation's head on the previous
 * message, or no head at all for a first message. Reads stay correct where it
 * matters: message pages are read from `messages`, the source of truth, so the
 * message is there in order; only the conversation list shows the previous
 * last message (or lacks a conversation whose only message is that one) until
 * the next message in that conversation records itself, since every
 * `recordMessage` moves the head to the newest message it knows.
 *
 * `remove` deletes the conversation's heads, then its document: a crash in
 * between leaves a document without heads, listed nowhere, which the next
 * `remove` (the account deletion sweep finds it through `peersOf`) deletes.
 */
import { randomBytes } from 'node:crypto';
import { type Db, type Filter, ObjectId } from 'mongodb';
import {
  type Conversation,
  type ConversationId,
  type ConversationRepository,
  conversationParticipants,
  type Message,
  type UserId,
} from '../../core/index.js';
import { isDuplicateKeyError, requireObjectId, toObjectId, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';
import { fromMessageFields, type MessageFields, toMessageFields } from './message-fields.js';

interface ConversationDoc {
  _id: ObjectId;
  a: ObjectId;
  b: ObjectId;
}

interface HeadDoc {
  _id?: ObjectId;
  conversationId: ObjectId;
  // Sorted; the same id twice for a note to self.
  participants: [ObjectId, ObjectId];
  at: Date;
  messageId: ObjectId;
  message: MessageFields;
}

// Attempts of `ensure` before giving up; each lost race means the winner's document exists.
const ENSURE_ATTEMPTS = 3;

/** The conversation store on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoConversationRepository(db: Db): ConversationRepository {
  const conversations = db.collection<ConversationDoc>(COLLECTIONS.conversations);
  const heads = db.collection<HeadDoc>(COLLECTIONS.conversationHeads);

  return withMongoErrors<ConversationRepository>({
    async ensure(first, second) {
      const [x, y] = conversationParticipants(first, second);
      const a = requireObjectId(x, 'User id');
      const b = requireObjectId(y, 'User id');
      for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt++) {
        const found = await conversations.findOne({ a, b }, { projection: { _id: 1 } });
        if (found) return found._id.toHexString() as ConversationId;
        // Random, like every id a client sees (SECURITY.md): never a neighbour of another.
        const _id = new ObjectId(randomBytes(12));
        try {
          await conversations.insertOne({ _id, a, b });
          return _id.toHexString() as ConversationId;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
      }
      throw new Error('Could not create or find the conversation of this pair.');
    },
    async find(first, second) {
      const [x, y] = conversationParticipants(first, second);
      const a = toObjectId(x);
      const b = toObjectId(y);
      if (!a || !b) return null;
      const found = await conversations.findOne({ a, b }, { projection: { _id: 1 } });
      return found ? (found._id.toHexString() as ConversationId) : null;
    },
    async recordMessage(message) {
      const head = toHead(message);
      if (!head) return;
      const { conversationId, at, messageId } = head;
      try {
        await heads.insertOne(head);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const older: Filter<HeadDoc> = {
        conversationId,
        $or: [{ at: { $lt: at } }, { at, messageId: { $lt: messageId } }],
      };
      await heads.deleteMany(older);
      const newer = await heads.findOne(
        { conversationId, $or: [{ at: { $gt: at } }, { at, messageId: { $gt: messageId } }] },
        { projection: { _id: 1 } },
      );
      if (newer) await heads.deleteOne({ conversationId, messageId });
    },
    async listForUser(userId, { limit, offset }) {
      const user = toObjectId(userId);
      if (!user || limit <= 0) return [];
      const cursor = heads.find({ participants: user }).sort({ at: -1, messageId: -1 });
      const seen = new Set<string>();
      const page: Conversation[] = [];
      let skipped = 0;
      for await (const doc of cursor) {
        const id = doc.conversationId.toHexString();
        if (seen.has(id)) continue;
        seen.add(id);
        if (skipped < offset) {
          skipped++;
          continue;
        }
        page.push(fromHead(doc));
        if (page.length >= limit) break;
      }
      return page;
    },
    async peersOf(userId) {
      const user = toObjectId(userId);
      if (!user) return [];
      // Served by the pair index (`a` first) and `conversations_by_b`.
      const docs = await conversations
        .find({ $or: [{ a: user }, { b: user }] }, { projection: { a: 1, b: 1 } })
        .toArray();
      const peers = new Set<string>();
      for (const { a, b } of docs) {
        const peer: ObjectId = a.equals(user) ? b : a;
        if (!peer.equals(user)) peers.add(peer.toHexString());
      }
      return [...peers] as UserId[];
    },
    async remove(conversationId) {
      const _id = toObjectId(conversationId);
      if (!_id) return;
      await heads.deleteMany({ conversationId: _id });
      await conversations.deleteOne({ _id });
    },
  });
}

function toHead(message: Message): HeadDoc | null {
  if (toObjectId(message.conversationId) === null) return null;
  const snapshot = toMessageFields(message);
  const [x, y] = conversationParticipants(message.senderId, message.receiverId);
  return {
    conversationId: snapshot.conversationId,
    participants: [requireObjectId(x, 'User id'), requireObjectId(y, 'User id')],
    at: message.createdAt,
    messageId: snapshot._id,
    message: snapshot,
  };
}

function fromHead(doc: HeadDoc): Conversation {
  const lastMessage = fromMessageFields(doc.message);
  const [a, b] = doc.participants;
  return {
    id: lastMessage.conversationId,
    participants: [a.toHexString() as UserId, b.toHexString() as UserId],
    lastMessage,
  };
}
