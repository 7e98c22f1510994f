/** @module A connection stops presence pushes about users (`unsubscribe-presence`, API.md §7). */
import type { Deps } from '../../deps.js';
import type { UserId } from '../../model.js';
import { assertIdCount, type PresenceSubscriptionInput } from './subscribe-presence.js';

/**
 * Removes `userIds` from the connection's subscriptions; ids it does not
 * follow (unknown, malformed, never subscribed) are ignored. Pushes about a
 * user the connection still reaches as a conversation partner go on.
 */
export async function unsubscribePresence(
  deps: Pick<Deps, 'presenceSubscriptions'>,
  input: PresenceSubscriptionInput,
): Promise<void> {
  assertIdCount(input.userIds);
  await deps.presenceSubscriptions.unsubscribe(
    { userId: input.userId, connectionId: input.connectionId },
    input.userIds as readonly UserId[],
  );
}
