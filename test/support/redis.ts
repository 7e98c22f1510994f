/**
 * @module Redis for the tests. The shared server is `TEST_REDIS_URL`, else
 * `REDIS_URL`, else `redis://127.0.0.1:6379` (what `.ci/run` starts); a test
 * file that needs it fails (never skips, with or without `CI=true`) when it
 * does not answer, with a message saying how to start one. Each file and each test works
 * under a key prefix of its own and deletes its keys afterwards, so files
 * running in parallel never see each other.
 *
 * `startRedisServer()` starts a private `redis-server` (no persistence) on a
 * free port, for tests that stop and restart Redis or kill its clients:
 * never do that to the shared one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './free-port.js';

/** The shared server the tests use. */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
}

const HOW_TO =
  'Start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`, or set TEST_REDIS_URL.';

/** A key prefix no other test uses: `test:<tag>:<random>:`. */
export function uniquePrefix(tag = 'redis'): string {
  return `test:${tag}:${randomBytes(5).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

export interface TestRedis {
  readonly url: string;
  /** A command connection for the test itself (valid inside tests and hooks). */
  readonly client: Redis;
  /** A fresh prefix under this file's, cleaned up in `afterAll`. */
  prefix(tag?: string): string;
}

/**
 * Registers hooks that connect to the shared server (failing the file with a
 * how-to when it does not answer) and delete this file's keys afterwards.
 */
export function useTestRedis(): TestRedis {
  const url = testRedisUrl();
  const filePrefix = uniquePrefix('file');
  let client: Redis | null = null;
  let count = 0;

  beforeAll(async () => {
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 3000,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      throw new Error(
        `Redis at ${url} does not answer (${error instanceof Error ? error.message : error}). ${HOW_TO}`,
      );
    }
    client = redis;
  });

  afterAll(async () => {
    if (!client) return;
    await deleteKeys(client, filePrefix).catch(() => {});
    await client.quit().catch(() => client?.disconnect());
    client = null;
  });

  return {
    url,
    get client() {
      if (!client) throw new Error('useTestRedis(): use the client inside tests and hooks only.');
      return client;
    },
    prefix(tag = 't') {
      count += 1;
      return `${filePrefix}${tag}${count}:`;
    },
  };
}

/** A `redis-server` of the test's own. */
export interface OwnRedisServer {
  readonly url: string;
  readonly port: number;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
  /** SIGTERM, and waits until it exited. */
  stop(): Promise<void>;
  isRunning(): boolean;
}

/** Starts `redis-server` on a free port of 127.0.0.1, without persistence, ready to answer. */
export async function startRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill('SIGKILL');

  async function start(): Promise<void> {
    if (child) return;
    const spawned = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    const failed = new Promise<Error>((resolve) => {
      spawned.once('error', (error) => resolve(error));
    });
    child = spawned;
    process.once('exit', killOnExit);
    spawned.once('exit', () => {
      if (child === spawned) child = null;
      process.off('exit', killOnExit);
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const early = await Promise.race([failed, sleep(50).then(() => null)]);
      if (early) throw new Error(`redis-server could not be started (${early.message}). ${HOW_TO}`);
      if (await answers(url)) return;
      if (child !== spawned || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${port}.`);
      }
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return { url, port, start, stop, isRunning: () => child !== null };
}

/** True when a Redis at `url` answers PING within half a second; never throws. */
export async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
