/**
 * @module What keeps a cluster clean when an instance dies without a word:
 * heartbeats, the ring timeout sweep and the dead-instance sweep. Every
 * instance runs all three; each piece of work is claimed atomically by one
 * of them (a Lua script), under a lease, so it is done once however many
 * instances sweep, and done again by another one if its claimer dies.
 *
 * - Heartbeat: every `heartbeatMs` the instance sets `instance:<id>:alive`
 *   with a TTL of `instanceTtlMs` and lists itself in `instances`. When the
 *   key had vanished meanwhile (Redis restarted empty, or this instance
 *   stalled past its TTL and was taken for dead), `onRegistrationLost` runs:
 *   the composition writes this instance's connections back. It also runs
 *   after each reconnect, since writes may have failed during the outage.
 * - Ring timeouts: every `sweepIntervalMs`, calls past their `ringDeadline`
 *   are claimed from `ring-deadlines` (each pushed `ringLeaseMs` ahead) and
 *   handed to `onRingDue`, which runs the core's `ringTimeout`: a guarded
 *   transition, so a timeout fires exactly once in the cluster even when the
 *   instance that started the call is gone (its local timer died with it).
 * - Dead instances: every `sweepIntervalMs`, an instance listed in
 *   `instances` without its `:alive` key is claimed (`:reaper` lease)
 *   by one peer, which hands each of its connections to `onOrphan` (the
 *   core's presence and call cleanup, as if the socket had closed: `offline`
 *   with `lastSeen`, `call-ended disconnected`) and then forgets the
 *   instance. Worst case from kill to `offline`: `instanceTtlMs` +
 *   `sweepIntervalMs` (+ the time since the last heartbeat is already part
 *   of the TTL): 31 s with the defaults.
 */
import type { Redis } from 'ioredis';
import type { UserId } from '../../core/index.js';
import type { RedisLogger } from './connect.js';
import { parseMember, type RedisKeys } from './keys.js';
import { scriptsOn } from './scripts.js';

/** One connection a dead instance held. */
export interface OrphanConnection {
  readonly userId: UserId;
  readonly connectionId: string;
  /** The dead instance. */
  readonly instanceId: string;
}

export interface ClusterSweeperOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly instanceId: string;
  /** Heartbeat period (default 10 s). */
  readonly heartbeatMs?: number;
  /** How long a heartbeat keeps the instance alive (default 30 s). */
  readonly instanceTtlMs?: number;
  /** How often ring timeouts and dead instances are looked for (default 1 s). */
  readonly sweepIntervalMs?: number;
  /** How long a claimed ring timeout waits before it is offered again (default 30 s). */
  readonly ringLeaseMs?: number;
  /** How long a claimed dead instance is another reaper's (default 60 s). */
  readonly reapLeaseMs?: number;
  /** Milliseconds since the epoch (default `Date.now`); ring deadlines are compared with it. */
  readonly now?: () => number;
  /** Ends a call whose ring deadline passed (`ringTimeout`). */
  readonly onRingDue: (callId: string) => Promise<void>;
  /** Cleans up one connection of a dead instance. */
  readonly onOrphan: (connection: OrphanConnection) => Promise<void>;
  /** Whether a connection is still held by the dead instance (not re-registered since). */
  readonly stillOrphaned?: (connection: OrphanConnection) => Promise<boolean>;
  /** Writes this instance's records back after Redis lost them. */
  readonly onRegistrationLost?: () => Promise<void>;
  readonly logger?: RedisLogger;
}

export interface ClusterSweeper {
  /** First heartbeat (throws when Redis does not answer), then the timers. */
  start(): Promise<void>;
  /** One heartbeat; true when the registration was still there. */
  heartbeat(): Promise<boolean>;
  /** One sweep: due ring timeouts, then dead instances. */
  sweep(): Promise<void>;
  /** Stops the timers, waits for work under way, and leaves the cluster (heartbeat deleted). */
  stop(): Promise<void>;
}

const RING_BATCH = 100;
const ORPHAN_CONCURRENCY = 8;

export function createClusterSweeper(options: ClusterSweeperOptions): ClusterSweeper {
  const { redis, keys, instanceId, logger } = options;
  const run = scriptsOn(redis);
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const instanceTtlMs = options.instanceTtlMs ?? 30_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 1000;
  const ringLeaseMs = options.ringLeaseMs ?? 30_000;
  const reapLeaseMs = options.reapLeaseMs ?? 60_000;
  const now = options.now ?? Date.now;
  const alive = keys.instance(instanceId, ':alive');

  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let registered = false;
  let stopped = false;
  let sweeping: Promise<void> | null = null;
  let restoring: Promise<void> | null = null;
  let restoreAgain = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => {});
    return work;
  };

  // One restore at a time; a request during one runs once more afterwards.
  const restore = (): Promise<void> => {
    if (options.onRegistrationLost === undefined || stopped) return Promise.resolve();
    if (restoring !== null) {
      restoreAgain = true;
      return restoring;
    }
    restoring = (async () => {
      do {
        restoreAgain = false;
        try {
          await options.onRegistrationLost?.();
        } catch (error) {
          logger?.error('Restoring this instance in Redis failed', error);
        }
      } while (restoreAgain && !stopped);
    })().finally(() => {
      restoring = null;
    });
    return track(restoring);
  };

  const heartbeat = async (): Promise<boolean> => {
    const existed =
      (await run('mcHeartbeat', [alive, keys.instances], [instanceId, instanceTtlMs])) === 1;
    if (!existed && registered) {
      logger?.warn(
        'This instance was missing from Redis (restarted, or taken for dead): restoring.',
      );
      void restore();
    }
    registered = true;
    return existed;
  };

  const sweepRings = async () => {
    const at = now();
    const due = (await run(
      'mcClaimDueRings',
      [keys.ringDeadlines],
      [at, at + ringLeaseMs, RING_BATCH, keys.callPrefix],
    )) as string[];
    await Promise.all(
      due.map((callId) =>
        options.onRingDue(callId).catch((error: unknown) => {
          logger?.error(`Ring timeout of call ${callId} failed`, error);
        }),
      ),
    );
  };

  const reap = async (dead: string) => {
    const reapKey = keys.instance(dead, ':reap');
    const claimed = await run(
      'mcClaimInstance',
      [
        keys.instance(dead, ':alive'),
        keys.instance(dead, ':reaper'),
        keys.instance(dead, ':conns'),
        reapKey,
      ],
      [instanceId, reapLeaseMs],
    );
    if (claimed !== 1) return;
    const members = await redis.smembers(reapKey);
    logger?.info(
      `Instance ${dead} stopped answering: cleaning up its ${members.length} connection(s).`,
    );
    let next = 0;
    const worker = async () => {
      while (next < members.length && !stopped) {
        const member = members[next++]!;
        const parsed = parseMember(member);
        if (parsed !== null) {
          const orphan = { ...parsed, instanceId: dead };
          const still = (await options.stillOrphaned?.(orphan)) ?? true;
          if (still) {
            try {
              await options.onOrphan(orphan);
            } catch (error) {
              // Left in :reap, so the next sweep (of any instance) tries again.
              logger?.error(`Cleaning up connection ${parsed.connectionId} failed`, error);
              continue;
            }
          }
        }
        await redis.srem(reapKey, member);
      }
    };
    await Promise.all(Array.from({ length: ORPHAN_CONCURRENCY }, worker));
    await run(
      'mcFinishInstance',
      [
        keys.instances,
        keys.instance(dead, ':alive'),
        keys.instance(dead, ':conns'),
        reapKey,
        keys.instance(dead, ':reaper'),
      ],
      [dead, instanceId],
    );
  };

  const sweepInstances = async () => {
    const dead = (await run(
      'mcDeadInstances',
      [keys.instances],
      [keys.instancePrefix],
    )) as string[];
    for (const id of dead) {
      if (id !== instanceId && !stopped) await reap(id);
    }
  };

  const sweep = (): Promise<void> => {
    sweeping ??= (async () => {
      try {
        await sweepRings();
        await sweepInstances();
      } finally {
        sweeping = null;
      }
    })();
    return sweeping;
  };

  const every = (ms: number, work: () => Promise<unknown>, what: string) => {
    const timer = setInterval(() => {
      if (stopped || redis.status !== 'ready') return;
      track(work()).catch((error: unknown) => {
        logger?.warn(`Redis ${what} failed: ${error instanceof Error ? error.message : error}`);
      });
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  // After a reconnect: beat at once (and see whether Redis lost us), then restore anyway.
  const onReady = () => {
    if (!registered || stopped) return;
    track(heartbeat())
      .then(() => restore())
      .catch(() => {});
  };

  return {
    async start() {
      await heartbeat();
      redis.on('ready', onReady);
      every(heartbeatMs, heartbeat, 'heartbeat');
      every(sweepIntervalMs, sweep, 'sweep');
    },
    heartbeat,
    sweep,
    async stop() {
      if (stopped) return;
      stopped = true;
      redis.off('ready', onReady);
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      if (redis.status !== 'ready') return;
      await run(
        'mcDeregister',
        [alive, keys.instances, keys.instance(instanceId, ':conns')],
        [instanceId],
      ).catch((error: unknown) => logger?.error('Leaving the cluster in Redis failed', error));
    },
  };
}
