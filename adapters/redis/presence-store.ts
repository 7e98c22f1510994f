/**
 * @module Live presence in Redis, shared by every instance. A user's
 * connections are one hash, `presence:<userId>`: `connectionId →
 * "<status>|<instanceId>"`; each instance also lists the connections it holds
 * in `instance:<id>:conns`, which is what peers clean up when it dies
 * (cluster-sweeper.ts). Every change is one Lua script that reads the
 * combined status, changes the hash and reads it again, so the transitions
 * of concurrent changes on any instances chain up, as the port demands.
 *
 * `removeConnection` removes a connection held by another instance only when
 * that instance is dead (no heartbeat): a reaper never takes away a
 * connection whose instance came back.
 *
 * The store also remembers, in this process, the connections it registered
 * and their statuses (whatever Redis answered): after Redis lost them (a
 * restart, or this instance was taken for dead), the composition puts them
 * back with `connectionRestored`, reading `localStatus`.
 */
import type { Redis } from 'ioredis';
import type {
  ConnectionStatus,
  PresenceStatus,
  PresenceStore,
  PresenceTransition,
  UserId,
} from '../../core/index.js';
import { withRedisErrors } from './connect.js';
import { memberOf, type RedisKeys } from './keys.js';
import { scriptsOn } from './scripts.js';

/** One connection this instance holds, as the presence store last recorded it. */
export interface LocalConnection {
  readonly userId: UserId;
  readonly connectionId: string;
  readonly status: ConnectionStatus;
}

export interface RedisPresenceStore extends PresenceStore {
  /** The connections registered here and not removed since. */
  localConnections(): LocalConnection[];
  /** The status last set here for a connection of this instance; null once removed. */
  localStatus(userId: UserId, connectionId: string): ConnectionStatus | null;
  /** The instance holding the connection, or null when Redis has no such connection. */
  ownerOf(userId: UserId, connectionId: string): Promise<string | null>;
}

/** Presence in Redis for the instance `instanceId`. */
export function createRedisPresenceStore(
  redis: Redis,
  keys: RedisKeys,
  instanceId: string,
): RedisPresenceStore {
  const run = scriptsOn(redis);
  const mine = new Map<string, LocalConnection>();
  const myConnections = keys.instance(instanceId, ':conns');

  return {
    setConnectionStatus(userId, connectionId, status) {
      mine.set(memberOf(userId, connectionId), { userId, connectionId, status });
      return withRedisErrors(async () =>
        transitionOf(
          await run(
            'mcPresenceSet',
            [keys.presence(userId), myConnections],
            [connectionId, status, instanceId, memberOf(userId, connectionId)],
          ),
        ),
      );
    },
    updateConnectionStatus(userId, connectionId, status) {
      const member = memberOf(userId, connectionId);
      if (mine.has(member)) mine.set(member, { userId, connectionId, status });
      return withRedisErrors(async () => {
        const reply = await run(
          'mcPresenceUpdate',
          [keys.presence(userId)],
          [connectionId, status],
        );
        return Array.isArray(reply) && reply.length === 0 ? null : transitionOf(reply);
      });
    },
    removeConnection(userId, connectionId) {
      const member = memberOf(userId, connectionId);
      mine.delete(member);
      return withRedisErrors(async () =>
        transitionOf(
          await run(
            'mcPresenceRemove',
            [keys.presence(userId)],
            [connectionId, instanceId, keys.instancePrefix, member],
          ),
        ),
      );
    },
    statusOf(userIds) {
      return withRedisErrors(async () => {
        const statuses = new Map<UserId, PresenceStatus>();
        if (userIds.length === 0) return statuses;
        const pipeline = redis.pipeline();
        for (const userId of userIds) pipeline.hvals(keys.presence(userId));
        const replies = (await pipeline.exec()) ?? [];
        userIds.forEach((userId, i) => {
          const [error, values] = replies[i] ?? [new Error('no reply'), null];
          if (error) throw error;
          statuses.set(userId, combine(values as string[]));
        });
        return statuses;
      });
    },
    localConnections() {
      return [...mine.values()];
    },
    localStatus(userId, connectionId) {
      return mine.get(memberOf(userId, connectionId))?.status ?? null;
    },
    ownerOf(userId, connectionId) {
      return withRedisErrors(async () => {
        const value = await redis.hget(keys.presence(userId), connectionId);
        if (value === null) return null;
        return value.slice(value.indexOf('|') + 1);
      });
    },
  };
}

function transitionOf(reply: unknown): PresenceTransition {
  const [before, after] = reply as [PresenceStatus, PresenceStatus];
  return { before, after };
}

// Values are "<status>|<instanceId>".
function combine(values: readonly string[]): PresenceStatus {
  if (values.length === 0) return 'offline';
  return values.some((value) => value.startsWith('active|')) ? 'active' : 'idle';
}
