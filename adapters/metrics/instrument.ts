/**
 * @module Decorators that count what the core does without the core knowing:
 * each wraps a port (or the hub's connection registry), delegates every call
 * unchanged and reports the outcome to a metrics sink. The composition root
 * wraps the ports it hands out; the core and the adapters underneath stay
 * free of metrics.
 */
import {
  type CallRepository,
  type FinalCallStatus,
  isFinalCallStatus,
  type KeyBundleRepository,
  type Notification,
  type UserId,
} from '../../core/index.js';
import type { ConnectionRegistry } from '../wire/local-notifier.js';

/** The one-time pools of the key directory. */
export type OneTimePool = 'ec' | 'kyber';

/** What the store decorators report. */
export interface StoreMetrics {
  /** A call reached its final status (counted once, by the writer that recorded it). */
  callEnded(status: FinalCallStatus): void;
  /** A claim on a one-time pool took a key, or found the pool empty. */
  oneTimeKeyClaimed(pool: OneTimePool, result: 'claimed' | 'empty'): void;
}

/** What the connection-registry decorator reports. */
export interface ConnectionMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  /** A push reached a live connection as a frame of `type`. */
  frameRelayed(type: Notification['type']): void;
}

/** Counts calls by final status: rows inserted already final (busy, unavailable, glare) and finishes. */
export function instrumentCallRepository(
  calls: CallRepository,
  metrics: Pick<StoreMetrics, 'callEnded'>,
): CallRepository {
  return {
    async insert(record) {
      const inserted = await calls.insert(record);
      if (inserted && isFinalCallStatus(record.status)) {
        metrics.callEnded(record.status);
      }
      return inserted;
    },
    findById: (id) => calls.findById(id),
    markAnswered: (id, answeredAt) => calls.markAnswered(id, answeredAt),
    async finish(id, end) {
      const finished = await calls.finish(id, end);
      if (finished) metrics.callEnded(end.status);
      return finished;
    },
    listForUser: (userId, page) => calls.listForUser(userId, page),
  };
}

/** Counts one-time key claims per pool, and the claims that found the pool empty. */
export function instrumentKeyBundleRepository(
  keyBundles: KeyBundleRepository,
  metrics: Pick<StoreMetrics, 'oneTimeKeyClaimed'>,
): KeyBundleRepository {
  const counted = async <T>(pool: OneTimePool, claim: Promise<T | null>): Promise<T | null> => {
    const key = await claim;
    metrics.oneTimeKeyClaimed(pool, key === null ? 'empty' : 'claimed');
    return key;
  };
  return {
    publish: (userId, bundle, keys) => keyBundles.publish(userId, bundle, keys),
    find: (userId) => keyBundles.find(userId),
    claimPreKey: (userId, generation) => counted('ec', keyBundles.claimPreKey(userId, generation)),
    claimKyberPreKey: (userId, generation) =>
      counted('kyber', keyBundles.claimKyberPreKey(userId, generation)),
    count: (userId) => keyBundles.count(userId),
    replenish: (userId, keys, cap) => keyBundles.replenish(userId, keys, cap),
    remove: (userId) => keyBundles.remove(userId),
  };
}

/**
 * Counts open connections (subscribed for pushes, so after `ready`) and the
 * pushes each one receives, by frame type.
 */
export function instrumentConnections<R extends ConnectionRegistry>(
  registry: R,
  metrics: ConnectionMetrics,
): ConnectionRegistry {
  return {
    subscribe(userId, connectionId, listener) {
      const unsubscribe = registry.subscribe(userId, connectionId, (push, passedBy) => {
        // A logged event passing its own device by: no frame is relayed, so none is counted.
        if (passedBy) {
          listener(push, passedBy);
          return;
        }
        metrics.frameRelayed(push.type);
        listener(push);
      });
      metrics.connectionOpened();
      let open = true;
      return () => {
        if (open) {
          open = false;
          metrics.connectionClosed();
        }
        unsubscribe();
      };
    },
    // A clustered registry's `listen` (the hub waits for it before `ready`) passes through.
    ...(registry.listen === undefined
      ? {}
      : { listen: (userId: UserId) => registry.listen!(userId) }),
  };
}
