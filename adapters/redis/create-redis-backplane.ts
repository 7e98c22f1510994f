/**
 * @module The Redis backplane of one instance (API.md §8): the ports that
 * many instances must share — notifier fan-out, presence, presence
 * subscriptions, live call state — and the sweeper that keeps the cluster
 * clean when an instance dies. `start(deps)` hands the sweeper the core's
 * use cases: `ringTimeout` for overdue calls, `presenceConnectionClosed` and
 * `connectionClosed` for the connections of a dead instance, and
 * `connectionRestored` for this instance's own connections after Redis lost
 * them. `scheduler(local)` makes the scheduler port cluster-wide over this
 * process's timers (scheduler.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  type CallStateStore,
  connectionClosed,
  connectionRestored,
  type Deps,
  type KeyedQueue,
  presenceConnectionClosed,
  ringTimeout,
} from '../../core/index.js';
import { createRedisCallStateStore } from './call-state-store.js';
import { type ClusterSweeper, createClusterSweeper } from './cluster-sweeper.js';
import { connectRedis, type RedisConnection, type RedisLogger } from './connect.js';
import { createRedisKeys, DEFAULT_KEY_PREFIX } from './keys.js';
import { createRedisLockedQueue } from './locked-queue.js';
import { type ClusterNotifier, createRedisNotifier } from './notifier.js';
import { createRedisPresenceStore, type RedisPresenceStore } from './presence-store.js';
import {
  createRedisPresenceSubscriptions,
  type RedisPresenceSubscriptions,
} from './presence-subscriptions.js';
import { createRedisScheduler, type LocalScheduler, type RedisScheduler } from './scheduler.js';
import { createRedisSessionEvents, type RedisSessionEvents } from './session-events.js';

export interface RedisBackplaneOptions {
  /** `redis://` or `rediss://` URL. */
  readonly url: string;
  /** Prefix of every key and channel (default `mycalls:`). */
  readonly keyPrefix?: string;
  /** Heartbeat period (default 10 s). */
  readonly heartbeatMs?: number;
  /** How long an instance counts as alive after its last heartbeat (default 30 s). */
  readonly instanceTtlMs?: number;
  /** How often ring timeouts and dead instances are swept (default 1 s). */
  readonly sweepIntervalMs?: number;
  /** Default: random. */
  readonly instanceId?: string;
  readonly logger?: RedisLogger;
}

export interface RedisBackplane {
  readonly instanceId: string;
  /** The command connection is `connection.client` (e.g. for rate limits shared in Redis). */
  readonly connection: RedisConnection;
  readonly notifier: ClusterNotifier;
  readonly presence: RedisPresenceStore;
  readonly presenceSubscriptions: RedisPresenceSubscriptions;
  readonly callState: CallStateStore;
  /** The per-call queue, locked cluster-wide: one call's steps keep their order across instances. */
  readonly callQueue: KeyedQueue;
  /** Orders each user's presence steps across instances (locked-queue.ts). */
  readonly presenceQueue: KeyedQueue;
  /** Ended device sessions, heard by every instance (listening from the moment this resolves). */
  readonly sessionEvents: RedisSessionEvents;
  /**
   * The scheduler port over `local`'s timers, with replacement and `cancel`
   * cluster-wide: of the tasks scheduled under one key on any instance, only
   * the last runs, unless cancelled on any instance. Its owner closes it
   * before the backplane (its last task claims its key on the connection).
   */
  scheduler(local: LocalScheduler): RedisScheduler;
  /** Joins the cluster (first heartbeat) and starts sweeping, with the composition's `deps`. */
  start(deps: Deps): Promise<void>;
  /** `up` when both connections are ready and the server answers a PING. */
  status(): Promise<'up' | 'down'>;
  /** Leaves the cluster and closes the connections; call after the sockets were closed. */
  close(): Promise<void>;
}

/** Connects (throws `ServiceUnavailableError` when Redis cannot be reached) and builds the ports. */
export async function openRedisBackplane(options: RedisBackplaneOptions): Promise<RedisBackplane> {
  const instanceId = options.instanceId ?? randomBytes(8).toString('hex');
  const logger = options.logger;
  const keys = createRedisKeys(options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const connection = await connectRedis(options.url, {
    name: `mycalls:${instanceId}`,
    ...(logger === undefined ? {} : { logger }),
  });
  const { client } = connection;
  const notifier = createRedisNotifier({
    connection,
    keys,
    instanceId,
    ...(logger === undefined ? {} : { logger }),
  });
  const presence = createRedisPresenceStore(client, keys, instanceId);
  const presenceSubscriptions = createRedisPresenceSubscriptions(client, keys);
  const callState = createRedisCallStateStore(client, keys);
  const lockedQueue = (lockKey: (key: string) => string, subject: string) =>
    createRedisLockedQueue({
      redis: client,
      instanceId,
      lockKey,
      subject,
      ...(logger === undefined ? {} : { logger }),
    });
  const sessionEvents = createRedisSessionEvents({
    connection,
    keys,
    instanceId,
    ...(logger === undefined ? {} : { logger }),
  });
  await sessionEvents.start();
  const callQueue = lockedQueue(keys.callLock, 'a call');
  const presenceQueue = lockedQueue(keys.presenceLock, "a user's presence");
  let sweeper: ClusterSweeper | null = null;
  let closing: Promise<void> | undefined;

  return {
    instanceId,
    connection,
    notifier,
    presence,
    presenceSubscriptions,
    callState,
    callQueue,
    presenceQueue,
    sessionEvents,
    scheduler: (local) =>
      createRedisScheduler({
        client,
        keys,
        instanceId,
        local,
        ...(logger === undefined ? {} : { logger }),
      }),
    async start(deps) {
      sweeper = createClusterSweeper({
        redis: client,
        keys,
        instanceId,
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        ...(options.instanceTtlMs === undefined ? {} : { instanceTtlMs: options.instanceTtlMs }),
        ...(options.sweepIntervalMs === undefined
          ? {}
          : { sweepIntervalMs: options.sweepIntervalMs }),
        now: () => deps.clock.now().getTime(),
        onRingDue: async (callId) => {
          await ringTimeout(deps, { callId });
        },
        stillOrphaned: async ({ userId, connectionId, instanceId: dead }) => {
          const owner = await presence.ownerOf(userId, connectionId);
          return owner === null || owner === dead;
        },
        onOrphan: async ({ userId, connectionId }) => {
          // As the hub does for a socket that closed: presence first, then the calls.
          try {
            await presenceConnectionClosed(deps, { userId, connectionId });
          } finally {
            await connectionClosed(deps, { userId, connectionId });
          }
        },
        onRegistrationLost: async () => {
          for (const { userId, connectionId } of presence.localConnections()) {
            await connectionRestored(deps, {
              userId,
              connectionId,
              current: () => presence.localStatus(userId, connectionId),
            });
          }
          await presenceSubscriptions.restore();
        },
        ...(logger === undefined ? {} : { logger }),
      });
      await sweeper.start();
    },
    async status() {
      return connection.isUp() && (await connection.ping()) ? 'up' : 'down';
    },
    close() {
      closing ??= (async () => {
        await sweeper?.stop();
        notifier.close();
        sessionEvents.close();
        await connection.close();
      })();
      return closing;
    },
  };
}
