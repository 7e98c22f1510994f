/** @module A connection asks for presence pushes about users (`subscribe-presence`, API.md §7). */
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import type { UserId } from '../../model.js';
import { MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION } from '../../ports/presence-subscriptions.js';
import type { Rule } from '../../rules.js';
import { presenceSeenBy } from '../blocking/shared.js';
import type { PresenceConnectionInput, PresenceUpdate } from './shared.js';

/** Most ids in one `subscribe-presence` or `unsubscribe-presence` (API.md §7). */
export const MAX_PRESENCE_IDS_PER_REQUEST = 200;

/** 1–200 ids, for a presence pull (HTTP) as for a subscription. */
export const PRESENCE_IDS_RULE: Rule<readonly string[]> = {
  test: (ids) => ids.length >= 1 && ids.length <= MAX_PRESENCE_IDS_PER_REQUEST,
  message: `Must hold 1–${MAX_PRESENCE_IDS_PER_REQUEST} ids.`,
};

export interface PresenceSubscriptionInput extends PresenceConnectionInput {
  /** 1–200 ids; unknown and malformed ones are ignored. */
  readonly userIds: readonly string[];
}

/**
 * Adds the known users among `userIds` to the connection's subscriptions
 * (on top of earlier ones) and returns their current presence, one update
 * per known id in request order, for the transport to send at once as
 * `presence-update` frames. Unknown and malformed ids are left out. A user
 * may follow themselves.
 *
 * The subscription is stored before the statuses are read, so no later
 * change is missed. A change racing the subscribe may be pushed before the
 * transport sends the answer, which may then show the state just before it
 * (until the next change). A user who blocks the subscriber shows as
 * offline since the block, and pushes about them stay away until they
 * unblock (the subscription is kept, so an unblock restores it).
 * `VALIDATION_FAILED` (path `userIds`) for an empty or too long list, and
 * when the connection would follow more than
 * `MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION` users (nothing is added then).
 */
export async function subscribePresence(
  deps: Pick<Deps, 'users' | 'presence' | 'presenceSubscriptions' | 'blocks'>,
  input: PresenceSubscriptionInput,
): Promise<PresenceUpdate[]> {
  assertIdCount(input.userIds);
  const found = new Map((await deps.users.findByIds(input.userIds)).map((u) => [u.id, u]));
  // Known ids, once each, in request order.
  const known = [...new Set(input.userIds)].flatMap((id) => found.get(id as UserId) ?? []);
  if (known.length === 0) return [];
  const subscriber = { userId: input.userId, connectionId: input.connectionId };
  const added = await deps.presenceSubscriptions.subscribe(
    subscriber,
    known.map((user) => user.id),
  );
  if (!added) {
    throw ValidationError.at(
      'userIds',
      `A connection follows at most ${MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION} users; unsubscribe some first.`,
    );
  }
  const [statuses, blocks] = await Promise.all([
    deps.presence.statusOf(known.map((user) => user.id)),
    deps.blocks.findBlocking(
      known.map((user) => user.id),
      input.userId,
    ),
  ]);
  const blockBy = new Map(blocks.map((block) => [block.blockerId, block]));
  return known.map((user) => ({
    userId: user.id,
    ...presenceSeenBy(user, statuses.get(user.id) ?? 'offline', blockBy.get(user.id) ?? null),
  }));
}

/** Re-checks the protocol's 1–200 ids (the transport validates them first). */
export function assertIdCount(userIds: readonly string[]): void {
  if (!PRESENCE_IDS_RULE.test(userIds))
    throw ValidationError.at('userIds', PRESENCE_IDS_RULE.message);
}
