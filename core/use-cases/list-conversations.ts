/** @module The caller's conversations, newest first. */
import type { Deps } from '../deps.js';
import type { Conversation, MessageId, Profile, UserId } from '../model.js';
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
  /** Messages from the peer after the caller's last read one (0 in a note to self). */
  readonly unreadCount: number;
  /** Where the caller read up to, on any of their devices; null before the first read. */
  readonly lastRead: { readonly messageId: MessageId; readonly readAt: Date } | null;
}

/** A page of the caller's conversations, newest `lastMessage` first. */
export async function listConversations(
  deps: Pick<Deps, 'users' | 'conversations' | 'messages' | 'readMarks'>,
  input: { readonly userId: UserId; readonly limit: number; readonly offset: number },
): Promise<ConversationView[]> {
  const conversations = await deps.conversations.listForUser(input.userId, {
    limit: input.limit,
    offset: input.offset,
  });
  const peerIds = conversations.map((c) => peerOf(c, input.userId));
  const [users, marks] = await Promise.all([
    deps.users.findByIds(peerIds),
    deps.readMarks.latest(
      input.userId,
      conversations.map((c) => c.id),
    ),
  ]);
  const peers = new Map(users.map((user) => [user.id, toProfile(user)]));
  return Promise.all(
    conversations.map(async (conversation) => {
      const peerId = peerOf(conversation, input.userId);
      const mark = marks.get(conversation.id) ?? null;
      const unreadCount =
        peerId === input.userId
          ? 0
          : await deps.messages.countAfter(
              conversation.id,
              peerId,
              input.userId,
              mark === null ? null : { createdAt: mark.createdAt, id: mark.messageId },
            );
      return {
        conversation,
        peerId,
        peer: peers.get(peerId) ?? null,
        unreadCount,
        lastRead: mark === null ? null : { messageId: mark.messageId, readAt: mark.readAt },
      };
    }),
  );
}

/**
 * Most conversations `unreadTotal` counts (the newest ones): it runs for
 * every wake push, one count per conversation, and a badge is a hint.
 */
export const UNREAD_TOTAL_CONVERSATIONS = 100;

/** Unread messages over the caller's newest 100 conversations: a push badge. */
export async function unreadTotal(
  deps: Pick<Deps, 'users' | 'conversations' | 'messages' | 'readMarks'>,
  userId: UserId,
): Promise<number> {
  const views = await listConversations(deps, {
    userId,
    limit: UNREAD_TOTAL_CONVERSATIONS,
    offset: 0,
  });
  return views.reduce((sum, view) => sum + view.unreadCount, 0);
}

function peerOf(conversation: Conversation, userId: UserId): UserId {
  const [a, b] = conversation.participants;
  return a === userId ? b : a;
}
