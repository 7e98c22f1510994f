/**
 * @module Deletes the caller's account (`DELETE /api/users/me`), and finishes
 * deletions a crash interrupted.
 */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { UserId } from '../model.js';
import { endLiveCall } from './blocking/shared.js';

/** What finishing a deletion touches. */
export type FinishDeletionDeps = Pick<
  Deps,
  | 'users'
  | 'sessions'
  | 'sessionEvents'
  | 'keyBundles'
  | 'blocks'
  | 'presenceSubscriptions'
  | 'callState'
  | 'calls'
  | 'notifier'
  | 'scheduler'
  | 'clock'
  | 'callQueue'
  | 'pushes'
  | 'events'
  | 'conversations'
  | 'messages'
  | 'deliveries'
>;

/**
 * Checks `password` (a wrong one is `INVALID_CREDENTIALS`, as at login), then
 * deletes the account: the user is removed in one step (from then on no
 * login, token or read finds it; its phone number and username are free),
 * and `finishAccountDeletion` cleans up the rest. Messages and call history
 * shared with others stay with them (docs/API.md, `DELETE /api/users/me`).
 */
export async function deleteAccount(
  deps: FinishDeletionDeps & Pick<Deps, 'passwords'>,
  input: { readonly userId: UserId; readonly password: string },
): Promise<void> {
  const user = await deps.users.findById(input.userId);
  const ok = user
    ? await deps.passwords.verify(user.passwordHash, input.password)
    : await deps.passwords.verifyNothing(input.password);
  if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS', 'The password is wrong.');
  await deps.users.delete(user.id, deps.clock.now());
  await finishAccountDeletion(deps, user.id);
}

/**
 * Everything after the user's removal, each step idempotent, so that running
 * it again after a crash anywhere (the start-up sweep does) finishes the job:
 * every session announced, then ended (tokens refused, sockets closed 4401 on
 * every instance; push registrations live in the sessions), a live call
 * ended `disconnected` for both sides, keys and blocks (made and received)
 * removed, the user's event log removed, other connections' presence subscriptions to the user dropped.
 * Presence itself goes with the sockets. Last, the pending record is dropped.
 * removed, other connections' presence subscriptions to the user dropped,
 * conversations nobody can read any more erased. Presence itself goes with
 * the sockets. Last, the pending record is dropped.
 */
export async function finishAccountDeletion(
  deps: FinishDeletionDeps,
  userId: UserId,
): Promise<void> {
  // Again, in case a crash left the user (the removal is idempotent).
  await deps.users.delete(userId, deps.clock.now());
  // Announced before the store forgets them: a crash after the delete would
  // leave no record of which sockets to close on other instances.
  const live = await deps.sessions.listForUser(userId, deps.clock.now());
  await deps.sessionEvents.ended(live.map((session) => ({ userId, sessionId: session.id })));
  const announced = new Set<string>(live.map((session) => session.id));
  const ended = await deps.sessions.deleteAllExcept(userId, null);
  const late = ended.filter((sessionId) => !announced.has(sessionId));
  await deps.sessionEvents.ended(late.map((sessionId) => ({ userId, sessionId })));
  await endLiveCall(deps, userId);
  await deps.keyBundles.remove(userId);
  await deps.blocks.removeAllOf(userId);
  await deps.events.removeAll(userId);
  for (const subscriber of await deps.presenceSubscriptions.subscribersOf(userId)) {
    await deps.presenceSubscriptions.unsubscribe(subscriber, [userId]);
  }
  await eraseUnreadableConversations(deps, userId);
  await deps.users.finishDeletion(userId);
}

/**
 * Erases the conversations of `userId` that no live account can read: the
 * note to self, and each one whose other participant is gone too (of two
 * partners deleting their accounts, the later deletion erases what they
 * shared; at the same time, both may, harmlessly). Delivery marks and
 * messages first, then the conversation, which is what finds them again
 * after a crash in between.
 */
async function eraseUnreadableConversations(
  deps: Pick<Deps, 'users' | 'conversations' | 'messages' | 'deliveries'>,
  userId: UserId,
): Promise<void> {
  const peers = await deps.conversations.peersOf(userId);
  const alive = new Set<UserId>((await deps.users.findByIds(peers)).map((user) => user.id));
  for (const other of [userId, ...peers.filter((peer) => !alive.has(peer))]) {
    const conversationId = await deps.conversations.find(userId, other);
    if (conversationId === null) continue;
    await deps.deliveries.removeConversation(conversationId);
    await deps.messages.removeConversation(conversationId);
    await deps.conversations.remove(conversationId);
  }
}

/**
 * Finishes every deletion a crash left half-done (run at start-up); returns
 * how many it finished. A deletion that fails again stays pending for the
 * next sweep; the others go on.
 */
export async function finishPendingDeletions(
  deps: FinishDeletionDeps,
  options: {
    readonly batch?: number;
    readonly onError?: (userId: UserId, error: unknown) => void;
  } = {},
): Promise<number> {
  const batch = options.batch ?? 100;
  let finished = 0;
  const failed = new Set<UserId>();
  for (;;) {
    const pending = (await deps.users.pendingDeletions(batch + failed.size)).filter(
      (id) => !failed.has(id),
    );
    if (pending.length === 0) return finished;
    for (const userId of pending) {
      try {
        await finishAccountDeletion(deps, userId);
        finished++;
      } catch (error) {
        failed.add(userId);
        options.onError?.(userId, error);
      }
    }
  }
}
