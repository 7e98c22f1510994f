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
 * an unknown peer, unless it is a deleted account the caller shares a
 * conversation with (the caller keeps their copy); a `before` that is unknown or from another conversation is
 * a `VALIDATION_FAILED` on `before`.
 */
export async function listMessages(
  deps: Pick<Deps, 'users' | 'messages' | 'conversations'>,
  input: ListMessagesInput,
): Promise<Message[]> {
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
  return deps.messages.listInConversation(conversationId, {
    limit: input.limit,
    offset: input.offset,
    ...(before ? { before: { createdAt: before.createdAt, id: before.id } } : {}),
  });
}
