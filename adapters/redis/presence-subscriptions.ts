/**
 * @module Presence subscriptions in Redis, shared by every instance: a set of
 * followed users per connection (`subscriptions:<userId>\0<connectionId>`)
 * and the reverse index (`followers:<target>`, members
 * `<userId>\0<connectionId>`). Subscribe (all-or-nothing against the cap),
 * unsubscribe and drop are one Lua script each, so both sets always agree.
 *
 * Like the presence store, it remembers in this process what this
 * instance's connections follow, so `restore()` can put it back after Redis
 * lost it.
 */
import type { Redis } from 'ioredis';
import {
  MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION,
  type PresenceSubscriber,
  type PresenceSubscriptions,
  type UserId,
} from '../../core/index.js';
import { withRedisErrors } from './connect.js';
import { memberOf, parseMember, type RedisKeys } from './keys.js';
import { scriptsOn } from './scripts.js';

export interface RedisPresenceSubscriptionsOptions {
  /** Most targets per connection; default `MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION` (1000). */
  readonly maxPerConnection?: number;
}

export interface RedisPresenceSubscriptions extends PresenceSubscriptions {
  /** Writes again what this instance's connections follow (after Redis lost it). */
  restore(): Promise<void>;
}

/** Subscriptions in Redis, honouring every guarantee of `PresenceSubscriptions`. */
export function createRedisPresenceSubscriptions(
  redis: Redis,
  keys: RedisKeys,
  options: RedisPresenceSubscriptionsOptions = {},
): RedisPresenceSubscriptions {
  const run = scriptsOn(redis);
  const cap = options.maxPerConnection ?? MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION;
  // What this instance's connections follow: member → (subscriber, targets).
  const mine = new Map<string, { subscriber: PresenceSubscriber; targets: Set<UserId> }>();

  const subscribe = async (subscriber: PresenceSubscriber, targets: readonly UserId[]) => {
    const member = memberOf(subscriber.userId, subscriber.connectionId);
    const added = await withRedisErrors(() =>
      run(
        'mcSubscribe',
        [keys.subscriptionsOf(subscriber.userId, subscriber.connectionId)],
        [member, cap, keys.followersPrefix, ...targets],
      ),
    );
    return added === 1;
  };

  return {
    async subscribe(subscriber, targets) {
      if (targets.length === 0) return true;
      const added = await subscribe(subscriber, targets);
      if (added) {
        const member = memberOf(subscriber.userId, subscriber.connectionId);
        const entry = mine.get(member) ?? {
          subscriber: { userId: subscriber.userId, connectionId: subscriber.connectionId },
          targets: new Set<UserId>(),
        };
        for (const target of targets) entry.targets.add(target);
        mine.set(member, entry);
      }
      return added;
    },
    async unsubscribe(subscriber, targets) {
      if (targets.length === 0) return;
      const member = memberOf(subscriber.userId, subscriber.connectionId);
      const entry = mine.get(member);
      for (const target of targets) entry?.targets.delete(target);
      if (entry?.targets.size === 0) mine.delete(member);
      await withRedisErrors(() =>
        run(
          'mcUnsubscribe',
          [keys.subscriptionsOf(subscriber.userId, subscriber.connectionId)],
          [member, keys.followersPrefix, ...targets],
        ),
      );
    },
    async dropConnection(subscriber) {
      const member = memberOf(subscriber.userId, subscriber.connectionId);
      mine.delete(member);
      await withRedisErrors(() =>
        run(
          'mcDropSubscriptions',
          [keys.subscriptionsOf(subscriber.userId, subscriber.connectionId)],
          [member, keys.followersPrefix],
        ),
      );
    },
    async subscribersOf(target) {
      const members = await withRedisErrors(() => redis.smembers(keys.followers(target)));
      return members.flatMap((member) => parseMember(member) ?? []);
    },
    async restore() {
      for (const { subscriber, targets } of [...mine.values()]) {
        if (targets.size > 0) await subscribe(subscriber, [...targets]);
      }
    },
  };
}
