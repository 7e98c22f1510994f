/** @module The caller's conversations, newest first. */
import type { Deps } from '../deps.js';
import type { Conversation, Profile, UserId } from '../model.js';
import { toProfile } from './session.js';

export interface ConversationView {
  readonly conversation: Conversation;
  /** The other participant's id (the caller's own in a note to self). */
  readonly peerId: UserId;
  /**
   * The other participant (the caller themself in a note to self); null when
   * that account was deleted (the caller keeps the conversation).
   */
  readonly peer: Profile | null;
}

/** A page of the caller's conversations, newest `lastMessage` first. */
export async function listConversations(
  deps: Pick<Deps, 'users' | 'conversations'>,
  input: { readonly userId: UserId; readonly limit: number; readonly offset: number },
): Promise<ConversationView[]> {
  const conversations = await deps.conversations.listForUser(input.userId, {
    limit: input.limit,
    offset: input.offset,
  });
  const peerIds = conversations.map((c) => peerOf(c, input.userId));
  const peers = new Map(
    (await deps.users.findByIds(peerIds)).map((user) => [user.id, toProfile(user)]),
  );
  return conversations.map((conversation) => {
    const peerId = peerOf(conversation, input.userId);
    return { conversation, peerId, peer: peers.get(peerId) ?? null };
  });
}

function peerOf(conversation: Conversation, userId: UserId): UserId {
  const [a, b] = conversation.participants;
  return a === userId ? b : a;
}
