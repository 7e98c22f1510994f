/**
 * @module The server's named rate limits (SECURITY.md), on rate-limiter-flexible:
 * in process memory by default, in Redis when a client is given so that every
 * instance shares one count per key (API.md §8).
 *
 * Each limit is `points` per `durationSec` per key, counted in
 * rate-limiter-flexible's fixed window that opens at a key's first action
 * (so any span of `durationSec` sees at most twice `points`). The same
 * algorithm runs in memory and, atomically through one Lua script, in Redis.
 * When Redis does not answer, each limiter falls back to an in-memory one with
 * the same rule (the library's insurance limiter): limits then hold per
 * instance instead of failing every request.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../core/index.js';

/** Every limit the HTTP edge enforces, and the two of `call-user` on the socket. */
export const RATE_LIMIT_NAMES = [
  'loginPerPhone',
  'loginPerIp',
  'registerPerIp',
  'bundlePerPair',
  'bundlePerRequester',
  'bundlePerTarget',
  'sendPerUser',
  'lookupPerUser',
  'codePerPhone',
  'codePerIp',
  'codePerCallingCode',
  'profileReadsPerUser',
  'publishPerUser',
  'callPerUser',
  'callPerPair',
] as const;

export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

/** `points` per `durationSec` and key. */
export interface RateLimitRule {
  readonly points: number;
  readonly durationSec: number;
}

export type RateLimitRules = Readonly<Record<RateLimitName, RateLimitRule>>;

/** The defaults; SECURITY.md says why each is what it is. */
export const DEFAULT_RATE_LIMIT_RULES: RateLimitRules = {
  loginPerPhone: { points: 10, durationSec: 15 * 60 },
  loginPerIp: { points: 100, durationSec: 15 * 60 },
  registerPerIp: { points: 20, durationSec: 60 * 60 },
  bundlePerPair: { points: 6, durationSec: 60 * 60 },
  bundlePerRequester: { points: 120, durationSec: 60 * 60 },
  bundlePerTarget: { points: 100, durationSec: 60 * 60 },
  sendPerUser: { points: 300, durationSec: 5 * 60 },
  // Points are phone numbers: one lookup of n numbers spends n.
  lookupPerUser: { points: 5000, durationSec: 24 * 60 * 60 },
  // Verification codes sent (first codes and resends alike).
  codePerPhone: { points: 10, durationSec: 60 * 60 },
  codePerIp: { points: 30, durationSec: 60 * 60 },
  codePerCallingCode: { points: 1000, durationSec: 60 * 60 },
  // Points are users resolved: a profile or username read spends 1, a presence pull one per id.
  profileReadsPerUser: { points: 20_000, durationSec: 60 * 60 },
  publishPerUser: { points: 10, durationSec: 60 * 60 },
  // Socket frames (`call-user`), answered `error RATE_LIMITED`.
  callPerUser: { points: 30, durationSec: 10 * 60 },
  callPerPair: { points: 10, durationSec: 10 * 60 },
};

/** One limit. */
export interface RateLimiter {
  /**
   * Spends `points` (default 1) for `key`; throws `RateLimitedError` (with
   * the seconds until the key's window reopens) when that goes over the limit.
   */
  consume(key: string, points?: number): Promise<void>;
}

export type RateLimiters = Readonly<Record<RateLimitName, RateLimiter>>;

export interface RateLimitersOptions {
  /** Rules that differ from `DEFAULT_RATE_LIMIT_RULES`. */
  readonly rules?: Partial<RateLimitRules>;
  /** Counts in Redis (shared by every instance) when given; else in this process. */
  readonly redis?: Redis;
  /** Prefix of every Redis key. Default `mycalls:rl`. */
  readonly keyPrefix?: string;
}

/** Keys longer than this (raw path segments, say) are replaced by their SHA-256. */
const MAX_RAW_KEY_LENGTH = 128;

/** Every named limiter, in memory or in Redis. */
export function createRateLimiters(options: RateLimitersOptions = {}): RateLimiters {
  const rules: RateLimitRules = { ...DEFAULT_RATE_LIMIT_RULES, ...options.rules };
  const prefix = options.keyPrefix ?? 'mycalls:rl';
  const entries = RATE_LIMIT_NAMES.map((name): [RateLimitName, RateLimiter] => {
    const { points, durationSec } = rules[name];
    const keyPrefix = `${prefix}:${name}`;
    const memory = new RateLimiterMemory({ points, duration: durationSec, keyPrefix });
    const limiter =
      options.redis === undefined
        ? memory
        : new RateLimiterRedis({
            storeClient: options.redis,
            points,
            duration: durationSec,
            keyPrefix,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          });
    return [
      name,
      {
        async consume(key, spent = 1) {
          try {
            await limiter.consume(storageKey(key), spent);
          } catch (rejection) {
            if (rejection instanceof RateLimiterRes) {
              throw new RateLimitedError(
                Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
                'Too many requests; retry after the time in Retry-After.',
              );
            }
            throw rejection;
          }
        },
      },
    ];
  });
  return Object.fromEntries(entries) as Record<RateLimitName, RateLimiter>;
}

function storageKey(key: string): string {
  if (key.length <= MAX_RAW_KEY_LENGTH) return key;
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
