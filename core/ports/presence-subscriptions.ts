/**
 * @module Who asked for presence pushes about whom (`subscribe-presence`,
 * API.md §7): subscriptions belong to one connection and die with it.
 */
import type { UserId } from '../model.js';

/** The connection that subscribed. */
export interface PresenceSubscriber {
  readonly userId: UserId;
  readonly connectionId: string;
}

/**
 * Most users one connection may follow at once. A subscribe that would take
 * a connection past it adds nothing (the client unsubscribes some first).
 * It bounds the memory one connection can hold in the store.
 */
export const MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION = 1000;

/**
 * Per-connection sets of followed users, and the reverse index.
 *
 * Guarantees: `subscribe` is all-or-nothing against the per-connection cap
 * (`MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION` unless the adapter was built
 * with another), and targets already followed do not count twice;
 * `subscribersOf` lists each subscribed connection once; after
 * `dropConnection` the connection appears in no `subscribersOf` answer.
 */
export interface PresenceSubscriptions {
  /** Adds `targets` to the connection's set; false, adding nothing, when the cap would be exceeded. */
  subscribe(subscriber: PresenceSubscriber, targets: readonly UserId[]): Promise<boolean>;
  /** Removes `targets` from the connection's set (unknown ones are ignored). */
  unsubscribe(subscriber: PresenceSubscriber, targets: readonly UserId[]): Promise<void>;
  /** Removes every subscription of the connection. */
  dropConnection(subscriber: PresenceSubscriber): Promise<void>;
  /** The connections following `target`, in no particular order. */
  subscribersOf(target: UserId): Promise<PresenceSubscriber[]>;
}
