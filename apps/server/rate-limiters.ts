/**
 * @module The rate limiters the server runs with: none with `RATE_LIMITS=off`,
 * in Redis (shared by every instance) when `REDIS_URL` is set, else in memory.
 * A Redis that goes away costs no request: each limiter counts in memory
 * until it answers again (see adapters/http/rate-limiters.ts).
 */
import { Redis } from 'ioredis';
import { createRateLimiters, type RateLimiters } from '../../adapters/http/rate-limiters.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

const CONNECT_WAIT_MS = 2_000;

export interface ServerRateLimiters {
  /** Undefined with `RATE_LIMITS=off`. */
  readonly limiters: RateLimiters | undefined;
  /** Closes the Redis connection, if one was opened. */
  close(): Promise<void>;
}

/**
 * Opens the limiters for `config`. With Redis it waits up to two seconds for
 * the connection, so that the first requests are already counted there.
 */
export async function openRateLimiters(
  config: Pick<Config, 'rateLimits' | 'rateLimitRules' | 'redisUrl' | 'redisKeyPrefix'>,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<ServerRateLimiters> {
  if (!config.rateLimits) return { limiters: undefined, close: async () => {} };
  if (config.redisUrl === null) {
    return {
      limiters: createRateLimiters({ rules: config.rateLimitRules }),
      close: async () => {},
    };
  }
  const redis = new Redis(config.redisUrl, {
    // Fail fast while disconnected: the in-memory fallback answers instead of a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
  // One line per change of state, never the URL (it may hold a password).
  let up: boolean | undefined;
  redis.on('ready', () => {
    if (up !== true) logger.info('Rate limits are counted in Redis, shared by every instance.');
    up = true;
  });
  redis.on('error', (error: Error) => {
    if (up !== false) {
      logger.warn(
        `Redis for rate limits does not answer (${error.message}); counting in this process until it does.`,
      );
    }
    up = false;
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    // Under REDIS_KEY_PREFIX like every other key: deployments sharing a Redis count apart.
    limiters: createRateLimiters({
      rules: config.rateLimitRules,
      redis,
      keyPrefix: `${config.redisKeyPrefix}rl`,
    }),
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}
