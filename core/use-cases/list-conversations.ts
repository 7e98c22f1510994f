/** @module The caller's conversations, newest first. */
import type { Deps } from '../deps.js';
import type { Conversation, Profile, UserId } from '../model.js';
import { toProfile } from './session.js';

export interface ConversationView {
  readonly conversation: Conversation;
  /** The other participant (the caller themself in a note to self). */
  readonly peer: Profile;
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
  return conversations.flatMap((conversation) => {
    const peer = peers.get(peerOf(conversation, input.userId));
    // A peer whose account is gone is left out rather than shown half-empty.
    return peer ? [{ conversation, peer }] : [];
  });
}

function peerOf(conversation: Conversation, userId: UserId): UserId {
  const [a, b] = conversation.participants;
  return a === userId ? b : a;
}
