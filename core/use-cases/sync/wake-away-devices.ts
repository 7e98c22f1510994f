/** @module Wakes the devices of a user who has no socket when an event is logged for them. */
import type { Deps } from '../../deps.js';
import type { UserId } from '../../model.js';
import { unreadTotal } from '../list-conversations.js';
import { pushableSessions, pushTo } from '../signaling/call-pushes.js';

export type WakeDeps = Pick<
  Deps,
  | 'presence'
  | 'sessions'
  | 'pushes'
  | 'clock'
  | 'users'
  | 'conversations'
  | 'messages'
  | 'readMarks'
>;

/**
 * When `userId` has no live connection, sends each of their registered
 * devices a content-free `sync` push with `seq`, the event just logged, and
 * the badge (the user's unread messages, `unreadTotal`; counted only when
 * there is a device to push to): the device wakes and syncs over HTTPS
 * (docs/API.md "Push notifications"). A
 * user with a socket gets the event there, so nothing is pushed. Best
 * effort: the event is durable in the log, and a device that is not woken
 * reads it when it opens, so a failed read here never fails the event.
 */
export async function wakeAwayDevices(deps: WakeDeps, userId: UserId, seq: number): Promise<void> {
  if (deps.pushes.kinds.size === 0) return;
  try {
    const presence = await deps.presence.statusOf([userId]);
    if ((presence.get(userId) ?? 'offline') !== 'offline') return;
    const sessions = await pushableSessions(deps, userId);
    if (sessions.length === 0) return;
    pushTo(deps, sessions, { type: 'sync', seq, badge: await unreadTotal(deps, userId) });
  } catch {
    // See above: the log has the event.
  }
}
