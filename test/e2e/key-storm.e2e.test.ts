/**
 * The key directory storm of issue 13 (test/support/key-storm.ts), on two real
 * server processes sharing one database on FerretDB's PostgreSQL backend, once
 * without Redis and once with it: 200 concurrent bundle fetches over both
 * instances on 50 + 50 one-time keys race 10 identical replenishes and 5
 * publishes. Every answer is 200, every key goes out at most once, no fetch
 * mixes two publishes, and once drained both pools count 0 on both instances.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkFetchedBundles,
  drainKeys,
  type KeyStormOptions,
  publishFirstBundle,
  runKeyStorm,
  stormLatency,
} from '../support/key-storm.js';
import { useTestDatabase } from '../support/mongo.js';
import { deleteKeys, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { type ServerProcess, useServerProcesses } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';

const database = useTestDatabase({ backend: 'postgresql' });
const servers = useServerProcesses();
const keyPrefix = uniquePrefix('key-storm');

afterAll(async () => {
  await servers.stopAll();
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await deleteKeys(redis, keyPrefix);
  } finally {
    redis.disconnect();
  }
});

let phone = 0;
async function register(url: string) {
  phone += 1;
  const answer = await callJson(url, 'POST', '/api/auth/register', {
    body: {
      phoneNumber: `+1555031${String(phone).padStart(4, '0')}`,
      displayName: `Storm ${phone}`,
      password: 'storm of keys',
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as { token: string; userId: string };
}

async function storm(a: ServerProcess, b: ServerProcess, label: string) {
  const owner = await register(a.url);
  const fetchers = await Promise.all(
    Array.from({ length: 8 }, (_, i) => register(i % 2 === 0 ? a.url : b.url)),
  );
  const options: KeyStormOptions = {
    urls: [a.url, b.url],
    owner,
    fetcherTokens: fetchers.map((fetcher) => fetcher.token),
  };
  await publishFirstBundle(options);
  const result = await runKeyStorm(options);
  const latency = stormLatency(result.fetches, result.elapsedMs);
  console.log(
    `[key storm, ${label}] ${result.fetches.length} fetches in ${Math.round(result.elapsedMs)} ms: p50 ${Math.round(latency.p50)} ms, p99 ${Math.round(latency.p99)} ms`,
  );

  const statuses = (answers: readonly { status: number; body: unknown }[]) =>
    answers.filter((answer) => answer.status !== 200).map((a) => [a.status, a.body]);
  expect(statuses(result.fetches)).toEqual([]);
  expect(statuses(result.replenishes)).toEqual([]);
  expect(statuses(result.publishes)).toEqual([]);
  for (const replenished of result.replenishes) {
    expect(replenished.body).toEqual({ count: expect.any(Number), kyberCount: expect.any(Number) });
  }
  expect(checkFetchedBundles(result.fetches)).toEqual([]);
  // Both instances handed keys out.
  const taken = result.fetches.filter((answer) => answer.body.oneTimePreKey !== null);
  expect(new Set(taken.map((answer) => answer.instance)).size).toBe(2);

  // Whatever the last publish and the replenishes left goes out once too.
  const drained = await drainKeys(options);
  expect(checkFetchedBundles([...result.fetches, ...drained])).toEqual([]);
  for (const server of [a, b]) {
    const counted = await callJson(server.url, 'GET', '/api/keys/onetime/count', {
      token: owner.token,
    });
    expect(counted).toMatchObject({ status: 200, body: { count: 0, kyberCount: 0 } });
  }
}

describe('the key directory under a storm, two server processes on one database', () => {
  it('answers every request 200 without Redis, each key once, no publish mixed', async () => {
    const env = { MONGODB_URI: database.uri };
    const a = await servers.start({ env, name: 'instance A' });
    const b = await servers.start({ env, name: 'instance B' });
    await storm(a, b, 'no Redis');
  }, 120_000);

  it('answers every request 200 with Redis, each key once, no publish mixed', async () => {
    const env = {
      MONGODB_URI: database.uri,
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
    };
    const c = await servers.start({ env, name: 'instance C' });
    const d = await servers.start({ env, name: 'instance D' });
    await storm(c, d, 'Redis');
  }, 120_000);
});
