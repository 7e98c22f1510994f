/**
 * @module In-process presence subscriptions: a set of followed users per
 * connection plus the reverse index. No method awaits, so each is atomic on
 * the event loop.
 */
import {
  MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION,
  type PresenceSubscriber,
  type PresenceSubscriptions,
  type UserId,
} from '../../core/index.js';

export interface MemoryPresenceSubscriptionsOptions {
  /** Most targets per connection; default `MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION` (1000). */
  readonly maxPerConnection?: number;
}

interface Entry {
  readonly subscriber: PresenceSubscriber;
  readonly targets: Set<UserId>;
}

/** Subscriptions of this process, honouring every guarantee of `PresenceSubscriptions`. */
export function createMemoryPresenceSubscriptions(
  options: MemoryPresenceSubscriptionsOptions = {},
): PresenceSubscriptions {
  const cap = options.maxPerConnection ?? MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION;
  // By connection key, and target → connection key → subscriber.
  const byConnection = new Map<string, Entry>();
  const byTarget = new Map<UserId, Map<string, PresenceSubscriber>>();

  // NUL never occurs in a user id, so the key is unambiguous.
  const keyOf = (s: PresenceSubscriber) => `${s.userId}\u0000${s.connectionId}`;

  const forget = (key: string, target: UserId) => {
    const subscribers = byTarget.get(target);
    subscribers?.delete(key);
    if (subscribers?.size === 0) byTarget.delete(target);
  };

  return {
    async subscribe(subscriber, targets) {
      const key = keyOf(subscriber);
      const entry = byConnection.get(key);
      const fresh = new Set(targets.filter((target) => !entry?.targets.has(target)));
      if ((entry?.targets.size ?? 0) + fresh.size > cap) return false;
      if (fresh.size === 0) return true;
      const mine = entry ?? {
        subscriber: { userId: subscriber.userId, connectionId: subscriber.connectionId },
        targets: new Set<UserId>(),
      };
      byConnection.set(key, mine);
      for (const target of fresh) {
        mine.targets.add(target);
        let subscribers = byTarget.get(target);
        if (!subscribers) {
          subscribers = new Map();
          byTarget.set(target, subscribers);
        }
        subscribers.set(key, mine.subscriber);
      }
      return true;
    },
    async unsubscribe(subscriber, targets) {
      const key = keyOf(subscriber);
      const entry = byConnection.get(key);
      if (!entry) return;
      for (const target of targets) {
        if (entry.targets.delete(target)) forget(key, target);
      }
      if (entry.targets.size === 0) byConnection.delete(key);
    },
    async dropConnection(subscriber) {
      const key = keyOf(subscriber);
      const entry = byConnection.get(key);
      if (!entry) return;
      byConnection.delete(key);
      for (const target of entry.targets) forget(key, target);
    },
    async subscribersOf(target) {
      return [...(byTarget.get(target)?.values() ?? [])];
    },
  };
}
