import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../core/index.js';
import { findTestRedis, type TestRedis } from '../../test/support/redis-server.js';
import {
  createRateLimiters,
  DEFAULT_RATE_LIMIT_RULES,
  RATE_LIMIT_NAMES,
  type RateLimiter,
} from './rate-limiters.js';

/** Spends `times` points one by one; the error of the first refusal, if any. */
async function spend(limiter: RateLimiter, key: string, times: number): Promise<unknown> {
  for (let i = 0; i < times; i++) {
    try {
      await limiter.consume(key);
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

describe('in memory', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has a limiter for every name, with the default rules', () => {
    const limiters = createRateLimiters();
    expect(Object.keys(limiters).sort()).toEqual([...RATE_LIMIT_NAMES].sort());
    expect(Object.keys(DEFAULT_RATE_LIMIT_RULES).sort()).toEqual([...RATE_LIMIT_NAMES].sort());
  });

  it('allows `points` per window and key, then refuses with the seconds until it reopens', async () => {
    const { sendPerUser } = createRateLimiters({
      rules: { sendPerUser: { points: 3, durationSec: 60 } },
    });
    expect(await spend(sendPerUser, 'alice', 3)).toBeUndefined();
    const refusal = await spend(sendPerUser, 'alice', 1);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).retryAfterSec).toBeGreaterThan(55);
    expect((refusal as RateLimitedError).retryAfterSec).toBeLessThanOrEqual(60);
    // Another key has its own count.
    expect(await spend(sendPerUser, 'bob', 3)).toBeUndefined();
  });

  it('spends several points at once (a lookup of n numbers)', async () => {
    const { lookupPerUser } = createRateLimiters({
      rules: { lookupPerUser: { points: 10, durationSec: 60 } },
    });
    await lookupPerUser.consume('alice', 7);
    await expect(lookupPerUser.consume('alice', 4)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(lookupPerUser.consume('bob', 11)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('opens a new window once the duration has passed', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
    const { bundlePerPair } = createRateLimiters({
      rules: { bundlePerPair: { points: 2, durationSec: 600 } },
    });
    expect(await spend(bundlePerPair, 'a>b', 2)).toBeUndefined();
    expect(await spend(bundlePerPair, 'a>b', 1)).toBeInstanceOf(RateLimitedError);
    vi.advanceTimersByTime(599_000);
    expect(await spend(bundlePerPair, 'a>b', 1)).toBeInstanceOf(RateLimitedError);
    vi.advanceTimersByTime(1_001);
    expect(await spend(bundlePerPair, 'a>b', 2)).toBeUndefined();
  });

  it('keys long keys by their hash: equal keys share a count, different ones do not', async () => {
    const { bundlePerTarget } = createRateLimiters({
      rules: { bundlePerTarget: { points: 1, durationSec: 60 } },
    });
    const long = 'x'.repeat(5000);
    await bundlePerTarget.consume(long);
    await expect(bundlePerTarget.consume(long)).rejects.toBeInstanceOf(RateLimitedError);
    await bundlePerTarget.consume(`${long}y`);
  });

  it('keeps the limits of two limiter sets apart (two servers in one process)', async () => {
    const rules = { registerPerIp: { points: 1, durationSec: 60 } };
    const a = createRateLimiters({ rules });
    const b = createRateLimiters({ rules });
    await a.registerPerIp.consume('203.0.113.7');
    await b.registerPerIp.consume('203.0.113.7');
  });
});

describe('in Redis', () => {
  let redisServer: TestRedis | undefined;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redisServer = await findTestRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redisServer?.stop();
  });

  async function client(url: string): Promise<Redis> {
    const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    clients.push(redis);
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    return redis;
  }

  it('shares one count between instances (API.md §8)', async (ctx) => {
    if (redisServer === undefined) return ctx.skip();
    const keyPrefix = `mycalls:test:${randomUUID()}`;
    const rules = { bundlePerPair: { points: 6, durationSec: 3600 } };
    const one = createRateLimiters({ rules, keyPrefix, redis: await client(redisServer.url) });
    const two = createRateLimiters({ rules, keyPrefix, redis: await client(redisServer.url) });
    expect(await spend(one.bundlePerPair, 'alice>bob', 3)).toBeUndefined();
    expect(await spend(two.bundlePerPair, 'alice>bob', 3)).toBeUndefined();
    const refusal = await spend(one.bundlePerPair, 'alice>bob', 1);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).retryAfterSec).toBeGreaterThan(3500);
    await expect(two.bundlePerPair.consume('alice>bob')).rejects.toBeInstanceOf(RateLimitedError);
    // Other pairs are untouched.
    await one.bundlePerPair.consume('alice>carol');
  });

  it('keeps limiting in memory while Redis does not answer', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    unreachable.on('error', () => {});
    clients.push(unreachable);
    const { loginPerPhone } = createRateLimiters({
      rules: { loginPerPhone: { points: 2, durationSec: 60 } },
      redis: unreachable,
    });
    expect(await spend(loginPerPhone, '+15550000001', 2)).toBeUndefined();
    expect(await spend(loginPerPhone, '+15550000001', 1)).toBeInstanceOf(RateLimitedError);
  });
});
