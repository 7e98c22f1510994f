/** @module What the presence use cases share; not part of the core's surface. */
import type { Deps } from '../../deps.js';
import type { PresenceStatus, UserId } from '../../model.js';
import type { PresenceTransition } from '../../ports/presence-store.js';

/** One user's presence as `presence-update` carries it (API.md §7). */
export interface PresenceUpdate {
  readonly userId: UserId;
  readonly status: PresenceStatus;
  /** When the user's last connection closed; the stored value while online, null if never. */
  readonly lastSeen: Date | null;
}

/** One connection of a user, as the transport names it. */
export interface PresenceConnectionInput {
  readonly userId: UserId;
  readonly connectionId: string;
}

export type BroadcastDeps = Pick<
  Deps,
  'users' | 'conversations' | 'presenceSubscriptions' | 'notifier' | 'blocks'
>;

/**
 * Pushes `update` to its audience: every connection of each user who shares
 * a conversation with `update.userId`, then each subscribed connection not
 * already reached that way. Each connection hears it at most once; strangers
 * never. The user's own connections hear it only where they subscribed to
 * themselves (they asked, and it is their own state). Users the subject
 * blocks hear nothing (to them the subject stays offline).
 */
export async function broadcastPresence(
  deps: BroadcastDeps,
  update: PresenceUpdate,
): Promise<void> {
  const [allPeers, subscribers, blocks] = await Promise.all([
    deps.conversations.peersOf(update.userId),
    deps.presenceSubscriptions.subscribersOf(update.userId),
    deps.blocks.listByBlocker(update.userId),
  ]);
  const blocked = new Set<UserId>(blocks.map((block) => block.blockedId));
  const peers = allPeers.filter((peer) => !blocked.has(peer));
  const notification = { type: 'presence-update', ...update } as const;
  const reached = new Set<UserId>([...peers, ...blocked]);
  const seen = new Set<string>();
  // Every push is made (queued) before any is awaited, in a fixed order.
  const pushes = peers.map((peer) => deps.notifier.notify(peer, notification));
  for (const { userId, connectionId } of subscribers) {
    const key = `${userId}\u0000${connectionId}`;
    if (reached.has(userId) || seen.has(key)) continue;
    seen.add(key);
    pushes.push(deps.notifier.notifyConnection(userId, connectionId, notification));
  }
  await Promise.all(pushes);
}

/**
 * Broadcasts the user's new combined status when `transition` changed it,
 * with the stored `lastSeen` (the one `POST /api/users/presence` shows).
 * Going offline is not handled here: it stores a fresh `lastSeen` first.
 */
export async function broadcastIfChanged(
  deps: BroadcastDeps,
  userId: UserId,
  transition: PresenceTransition | null,
): Promise<void> {
  if (transition === null || transition.before === transition.after) return;
  const user = await deps.users.findById(userId);
  await broadcastPresence(deps, {
    userId,
    status: transition.after,
    lastSeen: user?.lastSeen ?? null,
  });
}
