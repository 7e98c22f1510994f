import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../core/index.js';
import { useTestRedis } from '../../test/support/redis.js';
import { loadConfig } from './config.js';
import { openRateLimiters } from './rate-limiters.js';

const redis = useTestRedis();
const quiet = { info: () => {}, warn: () => {} };

describe('rate limiters shared through Redis', () => {
  it('count under REDIS_KEY_PREFIX: deployments sharing one Redis count apart', async () => {
    const open = (prefix: string) =>
      openRateLimiters(
        loadConfig({
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: prefix,
          RATE_LIMIT_SEND_PER_USER: '2/1m',
        }),
        quiet,
      );
    const first = redis.prefix('a');
    const [a, alsoA, b] = await Promise.all([open(first), open(first), open(redis.prefix('b'))]);
    try {
      await a.limiters?.sendPerUser.consume('alice');
      await alsoA.limiters?.sendPerUser.consume('alice');
      // The same deployment's other instance shares the count…
      await expect(a.limiters?.sendPerUser.consume('alice')).rejects.toBeInstanceOf(
        RateLimitedError,
      );
      // …another deployment's does not.
      await expect(b.limiters?.sendPerUser.consume('alice')).resolves.toBeUndefined();
      expect(await redis.client.keys(`${first}rl:sendPerUser:*`)).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), alsoA.close(), b.close()]);
    }
  });
});
