/** @module The conversation store. */
import type { Conversation, ConversationId, Message, UserId } from '../model.js';

/**
 * One conversation per unordered pair of users (a user with themself included).
 *
 * Guarantees: `ensure` returns the same id for the same pair however many
 * callers race; `recordMessage` only ever moves `lastMessage` forward in
 * (`createdAt`, `id`) order, so concurrent sends settle on the newest.
 */
export interface ConversationRepository {
  /** The pair's conversation id, created when missing. */
  ensure(a: UserId, b: UserId): Promise<ConversationId>;
  /** The pair's conversation id, or null when they never exchanged a message. Never writes. */
  find(a: UserId, b: UserId): Promise<ConversationId | null>;
  /** Makes `message` the conversation's last message unless a newer one is there. */
  recordMessage(message: Message): Promise<void>;
  /** Conversations of `userId` that have a message, newest `lastMessage` first. */
  listForUser(userId: UserId, page: { limit: number; offset: number }): Promise<Conversation[]>;
  /**
   * The users who share a conversation with `userId` (from the pair's first
   * `ensure` on), each once, in no particular order; never `userId` itself
   * (a note to self makes nobody a peer). Empty for unknown or malformed ids.
   * Presence pushes go to these users (API.md §7).
   */
  peersOf(userId: UserId): Promise<UserId[]>;
  /**
   * Forgets the conversation (erasure once nobody can read it; its messages
   * are removed first, from the message store); idempotent.
   */
  remove(conversationId: ConversationId): Promise<void>;
}
