/**
 * @module The cluster's scheduler: this process's timers, with `schedule`'s
 * replacement and `cancel` made cluster-wide through one Redis key per
 * scheduler key (`<prefix>task:<key>`).
 *
 * `schedule` writes a token of its own into the key (TTL: the delay plus
 * `graceMs`) and `cancel` blanks it (keeping the TTL), so the key holds what
 * the last of them said, on whichever instance: Redis orders the writes.
 * When a local timer comes due, one script (`mcClaimTask`) decides whether
 * its task runs: only while the key still holds the task's token, which it
 * then blanks. A task replaced or cancelled on another instance thus never
 * runs: a typist refreshing `typing` through another instance gets no
 * `active: false` from this one's older timer, and one `active: false`
 * through another instance is not followed by a second from here.
 *
 * No message goes between instances: a stale timer finds out when it comes
 * due, at the cost of one script call; nothing can arrive late or out of
 * order, and an older write cannot undo a newer one.
 *
 * Neither `schedule` nor `cancel` waits for Redis: the local timer is set or
 * cleared at once and the write follows on the command connection, which
 * keeps one instance's writes (and its pushes) in the order they were made.
 * So a typing frame never waits on Redis (awaiting the write would hold it
 * for up to the connection's 2 s command timeout when Redis stops answering).
 *
 * Whenever Redis cannot say, a task runs as the in-process scheduler would
 * run it: when its write failed (Redis away: it is unguarded), when the claim
 * fails, and when the key is gone (Redis restarted empty, or the timer ran
 * more than `graceMs` late). So while Redis is away typing keeps working on
 * each instance alone, and at worst a partner gets an `active: false` early
 * or twice (the port asks every task to be harmless when run late or twice). Nothing
 * here throws for Redis: connection failures are logged once per outage by
 * the connection (connect.ts).
 */
import type { Redis } from 'ioredis';
import type { Scheduler } from '../../core/index.js';
import { isReplyError, type RedisLogger } from './connect.js';
import type { RedisKeys } from './keys.js';
import { scriptsOn } from './scripts.js';

/** The in-process timers underneath (memory/scheduler.ts's `TimerScheduler`). */
export interface LocalScheduler extends Scheduler {
  pending(): number;
  /** Runs the pending tasks marked `runAtShutdown`, drops the rest; resolves when those ran. */
  close(): Promise<void>;
}

export interface RedisSchedulerOptions {
  /** The command connection. */
  readonly client: Redis;
  readonly keys: RedisKeys;
  readonly instanceId: string;
  readonly local: LocalScheduler;
  /** How long past its delay a task's key stays in Redis (default 60 s). */
  readonly graceMs?: number;
  readonly logger?: RedisLogger;
}

export interface RedisScheduler extends Scheduler {
  /** Tasks waiting on this instance's timers (superseded ones included until they come due). */
  pending(): number;
  /**
   * Drops this instance's pending tasks, except those marked `runAtShutdown`:
   * they run now, each still only if no later `schedule` or `cancel` on any
   * instance superseded it. Waits for them and for those already running;
   * afterwards `schedule` and `cancel` do nothing. Before the connection closes.
   */
  close(): Promise<void>;
}

const DEFAULT_GRACE_MS = 60_000;

/** The claim's answer when a later `schedule` or a `cancel` changed the key. */
const SUPERSEDED = 0;

export function createRedisScheduler(options: RedisSchedulerOptions): RedisScheduler {
  const { client, keys, local, logger } = options;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const script = scriptsOn(client);
  const running = new Set<Promise<void>>();
  let count = 0;
  let closed = false;

  // A connection failure is the outage the connection logs; anything else is a bug.
  const failed = (what: string) => (error: unknown) => {
    if (isReplyError(error)) logger?.error(`Scheduler: ${what} failed`, error);
  };
  const mayRun = async (redisKey: string, token: string): Promise<boolean> => {
    try {
      return (await script('mcClaimTask', [redisKey], [token])) !== SUPERSEDED;
    } catch (error) {
      failed('claiming a task')(error);
      return true;
    }
  };
  const track = (work: Promise<void>): Promise<void> => {
    running.add(work);
    const done = () => running.delete(work);
    work.then(done, done);
    return work;
  };

  return {
    async schedule(key, delayMs, task, scheduleOptions) {
      if (closed) return;
      count += 1;
      const token = `${options.instanceId}:${count.toString(36)}`;
      const redisKey = keys.task(key);
      const written = client.set(redisKey, token, 'PX', Math.ceil(delayMs) + graceMs).then(
        () => true,
        (error: unknown) => {
          failed('scheduling a task')(error);
          return false;
        },
      );
      await local.schedule(
        key,
        delayMs,
        () =>
          track(
            (async () => {
              if ((await written) && !(await mayRun(redisKey, token))) return;
              await task();
            })(),
          ),
        scheduleOptions,
      );
    },
    async cancel(key) {
      await local.cancel(key);
      if (closed) return;
      void client.set(keys.task(key), '', 'KEEPTTL', 'XX').catch(failed('cancelling a task'));
    },
    pending: () => local.pending(),
    async close() {
      closed = true;
      await local.close();
      await Promise.allSettled([...running]);
    },
  };
}
