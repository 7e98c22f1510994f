/**
 * @module A message's fields as MongoDB stores them (ObjectIds, Dates), in
 * `messages` documents and in the snapshot a conversation head keeps of its
 * last message: one mapping each way for both collections.
 */
import type { ObjectId } from 'mongodb';
import type { ConversationId, Message, MessageId, UserId } from '../../core/index.js';
import { requireObjectId } from './connect.js';

/** What both collections store of a message (`_id` is the message id). */
export interface MessageFields {
  _id: ObjectId;
  conversationId: ObjectId;
  senderId: ObjectId;
  receiverId: ObjectId;
  content: string;
  messageType: string;
  clientMessageId: string | null;
  createdAt: Date;
}

/** The stored fields of `message`; throws on an id that is no ObjectId. */
export function toMessageFields(message: Message): MessageFields {
  return {
    _id: requireObjectId(message.id, 'Message id'),
    conversationId: requireObjectId(message.conversationId, 'Conversation id'),
    senderId: requireObjectId(message.senderId, 'Sender id'),
    receiverId: requireObjectId(message.receiverId, 'Receiver id'),
    content: message.content,
    messageType: message.messageType,
    clientMessageId: message.clientMessageId,
    createdAt: message.createdAt,
  };
}

/** The message of stored fields (extra fields of the document are left behind). */
export function fromMessageFields(doc: MessageFields): Message {
  return {
    id: doc._id.toHexString() as MessageId,
    conversationId: doc.conversationId.toHexString() as ConversationId,
    senderId: doc.senderId.toHexString() as UserId,
    receiverId: doc.receiverId.toHexString() as UserId,
    content: doc.content,
    messageType: doc.messageType,
    clientMessageId: doc.clientMessageId,
    createdAt: doc.createdAt,
  };
}
