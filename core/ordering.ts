/** @module Orders the contract relies on. */
import type { UserId } from './model.js';

/** Messages are ordered by (`createdAt`, `id`); negative when `a` comes first. */
export function compareMessages(
  a: { readonly createdAt: Date; readonly id: string },
  b: { readonly createdAt: Date; readonly id: string },
): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A conversation's participants: the pair sorted ascending (equal for a note to self). */
export function conversationParticipants(a: UserId, b: UserId): readonly [UserId, UserId] {
  return a <= b ? [a, b] : [b, a];
}
