/** @module A page of the messages between the caller and another user. */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { Message, UserId } from '../model.js';

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
 * an unknown peer; a `before` that is unknown or from another conversation is
 * a `VALIDATION_FAILED` on `before`.
 */
export async function listMessages(
  deps: Pick<Deps, 'users' | 'messages' | 'conversations'>,
  input: ListMessagesInput,
): Promise<Message[]> {
  const peer = await deps.users.findById(input.peerId);
  if (!peer) throw new DomainError('USER_NOT_FOUND', 'No such user.');
  const conversationId = await deps.conversations.find(input.userId, peer.id);

  let before: Message | null = null;
  if (input.before !== undefined) {
    before = await deps.messages.findById(input.before);
    if (!before || conversationId === null || before.conversationId !== conversationId) {
      throw ValidationError.at('before', 'Must be the id of a message in this conversation.');
    }
  }
  if (conversationId === null) return [];
  return deps.messages.listInConversation(conversationId, {
    limit: input.limit,
    offset: input.offset,
    ...(before ? { before: { createdAt: before.createdAt, id: before.id } } : {}),
  });
}
