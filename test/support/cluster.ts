/**
 * @module Several real server processes behind no proxy at all, sharing one
 * MongoDB database (this file's, from `useTestDatabase`) and one Redis under
 * a key prefix of this file's own (API.md §8). Tests connect users to
 * whichever instance they like: that is what a load balancer without sticky
 * sessions does.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { afterAll } from 'vitest';
import { useTestDatabase } from './mongo.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from './redis.js';
import {
  type ServerProcess,
  type ServerProcessOptions,
  useServerProcesses,
} from './server-process.js';
import { callJson } from './start-test-server.js';
import { connectWs, type TestUser, type WsClient } from './ws-client.js';

export interface ClusterOptions {
  /** Redis to use; default the shared test server (`TEST_REDIS_URL`). */
  readonly redisUrl?: () => string;
  /** Server variables for every instance (CALL_RING_TIMEOUT, REDIS_HEARTBEAT, …). */
  readonly env?: Record<string, string | undefined>;
}

export interface TestCluster {
  /** Starts one more instance on the shared database and Redis. */
  start(name: string, env?: Record<string, string | undefined>): Promise<ServerProcess>;
  /** Connects `user` to `instance`; the socket is closed after the file. */
  connect(user: TestUser, instance: ServerProcess): Promise<WsClient>;
  /** This file's key prefix in Redis. */
  readonly keyPrefix: string;
  /** The shared database, to look at what the instances stored. */
  readonly database: { readonly db: Db; readonly uri: string };
}

/** Registers the hooks: database, processes (ended after the file), Redis keys (deleted). */
export function useCluster(options: ClusterOptions = {}): TestCluster {
  const database = useTestDatabase();
  const servers = useServerProcesses();
  const keyPrefix = uniquePrefix('cluster');
  const sockets: WsClient[] = [];
  const redisUrl = options.redisUrl ?? testRedisUrl;

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => {})));
    await servers.stopAll();
    const redis = new Redis(redisUrl(), { lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await deleteKeys(redis, keyPrefix);
    } catch {
      // A private server may be gone already.
    } finally {
      redis.disconnect();
    }
  });

  return {
    keyPrefix,
    database,
    start(name, env = {}) {
      const settings: ServerProcessOptions = {
        name,
        env: {
          MONGODB_URI: database.uri,
          REDIS_URL: redisUrl(),
          REDIS_KEY_PREFIX: keyPrefix,
          ...options.env,
          ...env,
        },
      };
      return servers.start(settings);
    },
    async connect(user, instance) {
      const socket = await connectWs(instance.url, user.token);
      sockets.push(socket);
      return socket;
    },
  };
}

/** One entry of `GET /api/calls`, as loosely as a client reads it. */
export interface CallView {
  readonly _id: string;
  readonly status: string;
  readonly endReason: string | null;
}

/**
 * `GET /api/calls` for `token`'s user, read again every 50 ms until
 * `settled(calls)` holds or `timeoutMs` passed (then the last answer): the
 * history is written right after the pushes that announce a change go out.
 */
export async function historyWhen(
  server: { readonly url: string },
  token: string,
  settled: (calls: readonly CallView[]) => boolean,
  timeoutMs = 3000,
): Promise<CallView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await callJson<CallView[]>(server.url, 'GET', '/api/calls', { token });
    if (settled(answer.body) || Date.now() > deadline) return answer.body;
    await sleep(50);
  }
}
