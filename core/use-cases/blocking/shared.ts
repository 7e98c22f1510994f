/**
 * @module What blocking looks like to the blocked user, and the live effects
 * of a block; not part of the core's surface. No answer may tell a blocked
 * user that a block exists (docs/API.md, "Blocking"): to them the blocker
 * looks like a user who went offline when the block was made and never came
 * back, whose key pools are empty, and whom lookups do not find.
 */
import type { Deps } from '../../deps.js';
import type { Block, Presence, PresenceStatus, User, UserId } from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import { endDisconnected, endIf } from '../signaling/shared.js';

/**
 * The presence of `user` as a user they block sees it: `offline`, last seen
 * at the block (or earlier, when they were last seen before it).
 */
export function presenceAsBlocked(user: User, block: Block): Presence {
  const lastSeen =
    user.lastSeen !== null && user.lastSeen < block.blockedAt ? user.lastSeen : block.blockedAt;
  return { status: 'offline', lastSeen };
}

/** The presence of `user` as `viewer` sees it, given whether `user` blocks `viewer`. */
export function presenceSeenBy(
  user: User,
  status: PresenceStatus,
  blockOfViewer: Block | null,
): Presence {
  return blockOfViewer
    ? presenceAsBlocked(user, blockOfViewer)
    : { status, lastSeen: user.lastSeen };
}

/**
 * Ends the live call of `userId`, when there is one and (if `otherId` is
 * given) its other party is `otherId`: both sides get `call-ended { reason:
 * 'disconnected' }` (what a lost connection looks like, so a blocked caller
 * learns nothing more) and the history records completed/disconnected once
 * answered, else missed/disconnected. Returns whether a call ended.
 */
export async function endLiveCall(
  deps: Pick<
    Deps,
    'callState' | 'calls' | 'notifier' | 'scheduler' | 'clock' | 'callQueue' | 'sessions' | 'pushes'
  >,
  userId: UserId,
  otherId?: UserId,
): Promise<boolean> {
  const current = await deps.callState.callOf(userId);
  if (current === null) return false;
  const wanted = (call: LiveCall) =>
    (call.callerId === userId || call.calleeId === userId) &&
    (otherId === undefined || call.callerId === otherId || call.calleeId === otherId);
  if (!wanted(current)) return false;
  return deps.callQueue.run(current.callId, async () => {
    const call = await endIf(deps, current.callId, wanted);
    if (call === null) return false;
    await endDisconnected(deps, call, ['caller', 'callee']);
    return true;
  });
}

/**
 * Pushes `presence` of `subjectId` to `viewerId` where the viewer would hear
 * of the subject's presence anyway: every connection when they share a
 * conversation, else the viewer's connections that subscribed to the subject.
 * Nobody else hears anything, so the push itself tells a stranger nothing.
 */
export async function pushPresenceTo(
  deps: Pick<Deps, 'conversations' | 'presenceSubscriptions' | 'notifier'>,
  subjectId: UserId,
  viewerId: UserId,
  presence: Presence,
): Promise<void> {
  const notification = { type: 'presence-update', userId: subjectId, ...presence } as const;
  const [peers, subscribers] = await Promise.all([
    deps.conversations.peersOf(subjectId),
    deps.presenceSubscriptions.subscribersOf(subjectId),
  ]);
  if (peers.includes(viewerId)) {
    await deps.notifier.notify(viewerId, notification);
    return;
  }
  for (const subscriber of subscribers) {
    if (subscriber.userId === viewerId) {
      await deps.notifier.notifyConnection(viewerId, subscriber.connectionId, notification);
    }
  }
}
