/** @module Marks a conversation read up to a message (`POST /api/chat/read`, the `read` frame). */
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import type { MessageId, UserId } from '../../model.js';
import { compareMessages } from '../../ordering.js';
import { type AppendEventDeps, appendEvent } from './append-event.js';

export interface MarkReadInput {
  readonly userId: UserId;
  readonly peerId: string;
  /** A message of the conversation: it and every one before it are read. */
  readonly upTo: string;
  /** The reading device's connection, which gets no `conversation-read` of its own. */
  readonly connectionId?: string;
}

export interface ReadState {
  readonly peerId: UserId;
  readonly upTo: MessageId;
  readonly readAt: Date;
}

/**
 * Records that `userId` read the conversation with `peerId` up to `upTo`.
 * The reader's other devices get `conversation-read` (their badge clears);
 * the peer gets `messages-read { by, upTo, readAt }` unless either of the two
 * turned read receipts off or either blocks the other. A mark at or before
 * the current one changes nothing and answers the current one.
 */
export async function markRead(
  deps: Pick<Deps, 'users' | 'blocks' | 'messages' | 'conversations' | 'readMarks'> &
    AppendEventDeps,
  input: MarkReadInput,
): Promise<ReadState> {
  const { userId } = input;
  const conversationId = await deps.conversations.find(userId, input.peerId as UserId);
  if (conversationId === null) {
    throw new DomainError('USER_NOT_FOUND', 'You have no conversation with this user.');
  }
  const peerId = input.peerId as UserId;
  const message = await deps.messages.findById(input.upTo);
  if (!message || message.conversationId !== conversationId) {
    throw ValidationError.at('upTo', 'Must be the id of a message in this conversation.');
  }
  const current = (await deps.readMarks.latest(userId, [conversationId])).get(conversationId);
  if (
    current &&
    compareMessages({ createdAt: current.createdAt, id: current.messageId }, message) >= 0
  ) {
    return { peerId, upTo: current.messageId, readAt: current.readAt };
  }
  const readAt = deps.clock.now();
  await deps.readMarks.record({
    userId,
    conversationId,
    messageId: message.id,
    createdAt: message.createdAt,
    readAt,
  });
  await appendEvent(deps, {
    userId,
    event: { type: 'conversation-read', peerId, upTo: message.id, readAt },
    ...(input.connectionId === undefined ? {} : { exceptConnectionId: input.connectionId }),
  });
  if (peerId !== userId && (await receiptsFlow(deps, userId, peerId))) {
    await appendEvent(deps, {
      userId: peerId,
      event: { type: 'messages-read', by: userId, upTo: message.id, readAt },
    });
  }
  return { peerId, upTo: message.id, readAt };
}

/** Read receipts go between two users only when both have them on and neither blocks the other. */
async function receiptsFlow(
  deps: Pick<Deps, 'users' | 'blocks'>,
  reader: UserId,
  peer: UserId,
): Promise<boolean> {
  const [me, them, blocked, blocking] = await Promise.all([
    deps.users.findById(reader),
    deps.users.findById(peer),
    deps.blocks.find(peer, reader),
    deps.blocks.find(reader, peer),
  ]);
  return (
    me !== null && them !== null && me.readReceipts && them.readReceipts && !blocked && !blocking
  );
}
