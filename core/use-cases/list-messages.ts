/** @module A page of the messages between the caller and another user. */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { Message, UserId } from '../model.js';
import { compareMessages } from '../ordering.js';
import { withFields } from '../with-fields.js';

/** A message as the history lists it, with its receipts. */
export type MessageView = Message & {
  /** When it first reached a device of its receiver; null before that and for a note to self. */
  readonly deliveredAt: Date | null;
  /** When its receiver's read mark came to cover it; null before that. */
  readonly readAt: Date | null;
};

export interface ListMessagesInput {
  readonly userId: UserId;
  readonly peerId: string;
  readonly limit: number;
  readonly offset: number;
  /** Only messages older than this one; `offset` then skips within those. */
  readonly before?: string;
}

/**
 * Messages between the caller and `peerId`, newest first. `USER_NOT_FOUND` for
 * an unknown peer, unless it is a deleted account the caller shares a
 * conversation with (the caller keeps their copy); a `before` that is unknown or from another conversation is
 * a `VALIDATION_FAILED` on `before`.
 */
export async function listMessages(
  deps: Pick<Deps, 'users' | 'messages' | 'conversations' | 'blocks' | 'readMarks' | 'deliveries'>,
  input: ListMessagesInput,
): Promise<MessageView[]> {
  const [peer, conversationId] = await Promise.all([
    deps.users.findById(input.peerId),
    // Every adapter answers null for an id it cannot hold, as for an unknown one.
    deps.conversations.find(input.userId, input.peerId as UserId),
  ]);
  if (!peer && conversationId === null) throw new DomainError('USER_NOT_FOUND', 'No such user.');

  let before: Message | null = null;
  if (input.before !== undefined) {
    before = await deps.messages.findById(input.before);
    if (!before || conversationId === null || before.conversationId !== conversationId) {
      throw ValidationError.at('before', 'Must be the id of a message in this conversation.');
    }
  }
  if (conversationId === null) return [];
  const messages = await deps.messages.listInConversation(conversationId, {
    limit: input.limit,
    offset: input.offset,
    ...(before ? { before: { createdAt: before.createdAt, id: before.id } } : {}),
  });
  return withReceipts(deps, input.userId, input.peerId as UserId, messages);
}

/**
 * The receipts of a page, under the rules of the pushes: the caller's own
 * messages show the peer's delivery and read mark only while neither blocks
 * the other, and their `readAt` only while both have read receipts on (as
 * `messages-read`); delivery ignores read receipts. The peer's messages show
 * the caller's own marks.
 */
async function withReceipts(
  deps: Pick<Deps, 'users' | 'blocks' | 'readMarks' | 'deliveries'>,
  userId: UserId,
  peerId: UserId,
  messages: readonly Message[],
): Promise<MessageView[]> {
  const conversationId = messages[0]?.conversationId;
  if (conversationId === undefined) return [];
  const [delivered, myMarks, peerMarks, me, peer, blocking, blocked] = await Promise.all([
    deps.deliveries.find(messages.map((m) => m.id)),
    deps.readMarks.latest(userId, [conversationId]),
    deps.readMarks.latest(peerId, [conversationId]),
    deps.users.findById(userId),
    deps.users.findById(peerId),
    deps.blocks.find(userId, peerId),
    deps.blocks.find(peerId, userId),
  ]);
  const apart = blocking !== null || blocked !== null;
  const receiptsFlow = !apart && me?.readReceipts === true && peer?.readReceipts === true;
  const myMark = myMarks.get(conversationId);
  const peerMark = peerMarks.get(conversationId);
  const covers = (mark: typeof myMark, message: Message): Date | null =>
    mark !== undefined &&
    compareMessages(message, { createdAt: mark.createdAt, id: mark.messageId }) <= 0
      ? mark.readAt
      : null;
  return messages.map((message) => {
    if (message.senderId === message.receiverId) {
      return withFields(message, { deliveredAt: null, readAt: covers(myMark, message) });
    }
    if (message.senderId === userId) {
      return withFields(message, {
        deliveredAt: apart ? null : (delivered.get(message.id) ?? null),
        readAt: receiptsFlow ? covers(peerMark, message) : null,
      });
    }
    return withFields(message, {
      deliveredAt: delivered.get(message.id) ?? null,
      readAt: covers(myMark, message),
    });
  });
}
