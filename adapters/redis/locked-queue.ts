/**
 * @module The cluster's `callQueue` and `presenceQueue`: everything about one
 * call (one user's presence) is handled in arrival order on every instance,
 * as the in-process queue does on one.
 * Tasks under one key run one after another in this process (the in-process
 * queue), and each also holds a short Redis lock on its key (`SET NX PX`,
 * released by a script that checks the holder), so a task about a call on
 * one instance waits for a task about the same call on another.
 *
 * What that buys: the steps of one call keep their order across instances.
 * A glare call displaced from another instance is told and recorded after
 * its own ring finished (so its history never stays `ringing`, and its
 * parties never hear `call-ended` before `call-user`); an instance's
 * publications under the lock reach Redis before the next holder's, so the
 * other party sees the events of a call in the order they were decided. The
 * same holds for presence: the last connection of a user closing on one
 * instance (`offline`) is announced after the close of a connection on
 * another that left the user `idle`, never before it (partners would
 * otherwise be left showing `idle` for a user who is gone).
 * Deadlock-free for the core's reason: a task only ever waits for a call
 * with a higher id (glare), never the other way round. Tasks run with
 * `localOnly` (the relay of `offer`/`answer`/`ice-candidate`: they read and
 * pass on, change nothing) take no lock: one sender's frames are all handled
 * by the instance holding its connection, in order, and that instance's
 * publications arrive in order; so relays cost no extra round trip.
 *
 * The lock is a courtesy, not the safety net: every transition is an atomic
 * script anyway. It expires after `lockTtlMs` (a holder that died frees it),
 * a waiter gives up waiting after `lockTtlMs` and runs, and while Redis is
 * away tasks run without it (they fail on their own if they need Redis).
 */
import type { Redis } from 'ioredis';
import { createKeyedQueue, type KeyedQueue } from '../../core/index.js';
import type { RedisLogger } from './connect.js';
import { scriptsOn } from './scripts.js';

export interface RedisLockedQueueOptions {
  readonly redis: Redis;
  /** Unique per instance: with a counter, the lock's holder token. */
  readonly instanceId: string;
  /** The Redis key of the lock of queue key `key` (`keys.callLock`, `keys.presenceLock`). */
  readonly lockKey: (key: string) => string;
  /** What a key names, for the log (`a call`, `a user's presence`). */
  readonly subject: string;
  /** How long a lock lives without its holder releasing it (default 10 s). */
  readonly lockTtlMs?: number;
  readonly logger?: RedisLogger;
}

/** A `KeyedQueue` whose keys are also locked cluster-wide. */
export function createRedisLockedQueue(options: RedisLockedQueueOptions): KeyedQueue {
  const { redis, instanceId, lockKey, subject, logger } = options;
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const local = createKeyedQueue();
  const run = scriptsOn(redis);
  let counter = 0;

  // True when held; false when Redis failed (the task then runs unlocked).
  const acquire = async (lock: string, token: string): Promise<boolean> => {
    const giveUpAt = Date.now() + lockTtlMs;
    let wait = 1;
    for (;;) {
      try {
        if ((await redis.set(lock, token, 'PX', lockTtlMs, 'NX')) === 'OK') return true;
      } catch {
        return false;
      }
      if (Date.now() > giveUpAt) {
        logger?.warn(`Waited ${lockTtlMs} ms for the lock of ${subject}; going on without it.`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 20);
    }
  };

  return {
    run(key, task, taskOptions) {
      if (taskOptions?.localOnly) return local.run(key, task);
      return local.run(key, async () => {
        const lock = lockKey(key);
        counter += 1;
        const token = `${instanceId}:${counter}`;
        const held = await acquire(lock, token);
        try {
          return await task();
        } finally {
          // Not awaited: it is sent after everything the task sent, on the same connection.
          if (held) run('mcReleaseLock', [lock], [token]).catch(() => {});
        }
      });
    },
    settled: () => local.settled(),
  };
}
