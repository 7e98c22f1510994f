/**
 * @module The cluster's scheduler (adapters/redis/scheduler.ts) on real
 * Redis, two "instances" (a connection and a scheduler each) in this
 * process: under one key only the task scheduled last on either runs, a
 * cancel on either drops it, other keys are left alone, a task nobody
 * replaced runs once when due on its own instance (the ring timeout), and
 * while Redis is away (a private `redis-server`, stopped) each instance
 * schedules and cancels on its own, never throwing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTimerScheduler } from '../../adapters/memory/scheduler.js';
import { createRedisConnection, type RedisConnection } from '../../adapters/redis/connect.js';
import { createRedisKeys, type RedisKeys } from '../../adapters/redis/keys.js';
import { createRedisScheduler, type RedisScheduler } from '../../adapters/redis/scheduler.js';
import { type OwnRedisServer, startRedisServer, useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await sleep(10);
  }
}

interface Instance {
  readonly keys: RedisKeys;
  readonly connection: RedisConnection;
  readonly scheduler: RedisScheduler;
  /** Task failures the timers reported. */
  readonly errors: unknown[];
}

function instanceOn(url: string, keys: RedisKeys, id: string): Instance {
  const connection = createRedisConnection(url, { logger: quiet, name: `test:${id}` });
  const errors: unknown[] = [];
  const scheduler = createRedisScheduler({
    client: connection.client,
    keys,
    instanceId: id,
    local: createTimerScheduler({ onError: (error) => errors.push(error) }),
    logger: { ...quiet, error: (_message, error) => errors.push(error) },
  });
  return { keys, connection, scheduler, errors };
}

/**
 * `schedule` and `cancel` do not wait for Redis; a PING on the same
 * connection answers once the writes sent before it were applied, so the
 * next step on the other instance comes after them in Redis too.
 */
async function written(instance: Instance): Promise<void> {
  await instance.connection.client.ping();
}

async function up(...instances: Instance[]) {
  await eventually(() => instances.every((i) => i.connection.client.status === 'ready'));
}

async function down(...instances: Instance[]) {
  for (const instance of instances) {
    await instance.scheduler.close();
    await instance.connection.close();
  }
}

/** What ran, in order, with when (ms since `started`). */
function recorder() {
  const started = Date.now();
  const ran: { name: string; at: number }[] = [];
  return {
    ran,
    names: () => ran.map((r) => r.name),
    task: (name: string) => async () => {
      ran.push({ name, at: Date.now() - started });
    },
  };
}

const DELAY_MS = 200;
/** Long enough past `DELAY_MS` for every timer of a test to have come due and claimed. */
const SETTLED_MS = DELAY_MS + 600;

describe('the cluster scheduler on a shared Redis', () => {
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const keys = createRedisKeys(redis.prefix('scheduler'));
    a = instanceOn(redis.url, keys, 'A');
    b = instanceOn(redis.url, keys, 'B');
    await up(a, b);
  });
  afterEach(() => {
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
  afterAll(async () => {
    await down(a, b);
  });

  it('runs only the task scheduled last under a key, on whichever instance', async () => {
    const r = recorder();
    await a.scheduler.schedule('typing:u1:u2', DELAY_MS, r.task('A'));
    await written(a);
    await b.scheduler.schedule('typing:u1:u2', DELAY_MS, r.task('B'));
    await sleep(SETTLED_MS);
    expect(r.names()).toEqual(['B']);

    // Back and forth: the older task on each instance gives way, wherever the newer one is.
    const again = recorder();
    await a.scheduler.schedule('typing:u1:u2', DELAY_MS, again.task('A1'));
    await written(a);
    await sleep(DELAY_MS / 2);
    await b.scheduler.schedule('typing:u1:u2', DELAY_MS, again.task('B'));
    await written(b);
    await sleep(DELAY_MS / 2);
    await a.scheduler.schedule('typing:u1:u2', DELAY_MS, again.task('A2'));
    await sleep(SETTLED_MS);
    expect(again.names()).toEqual(['A2']);
    expect(again.ran[0]?.at).toBeGreaterThanOrEqual(2 * DELAY_MS);
  });

  it('drops the task pending on another instance on cancel, and takes new ones afterwards', async () => {
    const r = recorder();
    await a.scheduler.schedule('typing:u3:u4', DELAY_MS, r.task('A'));
    await written(a);
    await b.scheduler.cancel('typing:u3:u4');
    await sleep(SETTLED_MS);
    expect(r.names()).toEqual([]);

    await a.scheduler.schedule('typing:u3:u4', DELAY_MS, r.task('A again'));
    await eventually(() => r.ran.length > 0);
    await sleep(SETTLED_MS - DELAY_MS);
    expect(r.names()).toEqual(['A again']);
  });

  it('leaves other keys alone', async () => {
    const r = recorder();
    await a.scheduler.schedule('typing:u5:u6', DELAY_MS, r.task('A u5→u6'));
    await b.scheduler.schedule('typing:u6:u5', DELAY_MS, r.task('B u6→u5'));
    await b.scheduler.schedule('typing:u5:u7', DELAY_MS, r.task('B u5→u7'));
    await written(b);
    await a.scheduler.cancel('typing:u5:u7');
    await b.scheduler.cancel('typing:u5:u8');
    await sleep(SETTLED_MS);
    expect(r.names().sort()).toEqual(['A u5→u6', 'B u6→u5']);
  });

  it('runs a task nobody replaced or cancelled once, when due, on the instance that scheduled it', async () => {
    const r = recorder();
    await a.scheduler.schedule('ring:call-1', DELAY_MS, r.task('A ring'));
    // Its own write is no replacement, nor is a replacement on the same instance.
    await a.scheduler.schedule('ring:call-2', DELAY_MS, r.task('A first'));
    await a.scheduler.schedule('ring:call-2', DELAY_MS, r.task('A second'));
    expect(b.scheduler.pending()).toBe(0);
    await eventually(() => r.ran.length === 2);
    await sleep(SETTLED_MS - DELAY_MS);
    expect(r.names()).toEqual(['A ring', 'A second']);
    expect(r.ran[0]?.at).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(r.ran[0]?.at).toBeLessThan(DELAY_MS + 300);
    expect(a.scheduler.pending()).toBe(0);
    // A cancel after the task ran changes nothing, and the key leaves Redis with its TTL.
    await b.scheduler.cancel('ring:call-1');
    await written(b);
    const ttl = await redis.client.pttl(a.keys.task('ring:call-1'));
    expect(ttl).toBeGreaterThan(0);
  });

  it('runs a task whose key Redis no longer holds (restarted empty): nothing says it was replaced', async () => {
    const r = recorder();
    await a.scheduler.schedule('ring:call-3', DELAY_MS, r.task('A'));
    await written(a);
    await redis.client.del(a.keys.task('ring:call-3'));
    await sleep(SETTLED_MS);
    expect(r.names()).toEqual(['A']);
  });

  it('drops its pending tasks on close and schedules nothing afterwards', async () => {
    const keys = createRedisKeys(redis.prefix('closing'));
    const c = instanceOn(redis.url, keys, 'C');
    await up(c);
    const r = recorder();
    await c.scheduler.schedule('typing:u9:u10', DELAY_MS, r.task('before close'));
    await c.scheduler.close();
    await c.scheduler.schedule('typing:u9:u11', DELAY_MS, r.task('after close'));
    expect(c.scheduler.pending()).toBe(0);
    await sleep(SETTLED_MS);
    await c.connection.close();
    expect(r.names()).toEqual([]);
  });

  it('on close runs its tasks marked runAtShutdown at once, unless another instance replaced or cancelled them', async () => {
    const keys = createRedisKeys(redis.prefix('flushing'));
    const c = instanceOn(redis.url, keys, 'C');
    const d = instanceOn(redis.url, keys, 'D');
    await up(c, d);
    const r = recorder();
    const early = { runAtShutdown: true };
    await c.scheduler.schedule('typing:u1:u2', 10 * DELAY_MS, r.task('C mine'), early);
    await c.scheduler.schedule('ring:call-9', 10 * DELAY_MS, r.task('C ring'));
    await c.scheduler.schedule('typing:u3:u4', 10 * DELAY_MS, r.task('C replaced'), early);
    await c.scheduler.schedule('typing:u5:u6', 10 * DELAY_MS, r.task('C cancelled'), early);
    await written(c);
    await d.scheduler.schedule('typing:u3:u4', 10 * DELAY_MS, r.task('D replacement'), early);
    await d.scheduler.cancel('typing:u5:u6');
    await written(d);
    await c.scheduler.close();
    expect(r.names()).toEqual(['C mine']);
    expect(r.ran[0]!.at).toBeLessThan(DELAY_MS);
    // What C ran is claimed: D's own timers still decide the keys it wrote.
    await d.scheduler.close();
    expect(r.names()).toEqual(['C mine', 'D replacement']);
    await Promise.all([c.connection.close(), d.connection.close()]);
    expect([...c.errors, ...d.errors]).toEqual([]);
  });
});

describe('the cluster scheduler while Redis is away (private redis-server)', () => {
  let server: OwnRedisServer;
  let a: Instance;
  let b: Instance;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await startRedisServer();
    const keys = createRedisKeys('scheduler-outage:');
    a = instanceOn(server.url, keys, 'A');
    b = instanceOn(server.url, keys, 'B');
    await up(a, b);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await down(a, b);
    await server?.stop();
  });

  it('schedules, replaces and cancels on each instance alone, never throwing, and resumes afterwards', async () => {
    const r = recorder();
    // Scheduled while Redis was there, due while it is away: it runs.
    await a.scheduler.schedule('typing:u1:u2', 2 * DELAY_MS, r.task('A before'));
    await written(a);
    await server.stop();
    await eventually(() => a.connection.client.status !== 'ready');
    await a.scheduler.schedule('typing:u3:u4', DELAY_MS, r.task('A during'));
    await a.scheduler.schedule('typing:u5:u6', DELAY_MS, r.task('A cancelled'));
    await a.scheduler.cancel('typing:u5:u6');
    await b.scheduler.schedule('typing:u7:u8', DELAY_MS, r.task('B replaced'));
    await b.scheduler.schedule('typing:u7:u8', DELAY_MS, r.task('B during'));
    await sleep(SETTLED_MS);
    expect(r.names().sort()).toEqual(['A before', 'A during', 'B during']);

    await server.start();
    await up(a, b);
    const after = recorder();
    await a.scheduler.schedule('typing:u1:u2', DELAY_MS, after.task('A'));
    await written(a);
    await b.scheduler.schedule('typing:u1:u2', DELAY_MS, after.task('B'));
    await sleep(SETTLED_MS);
    expect(after.names()).toEqual(['B']);
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect(unhandled).toEqual([]);
  }, 30_000);
});
