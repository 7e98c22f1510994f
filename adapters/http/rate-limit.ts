/**
 * @module Rate limits at the HTTP edge: a middleware for limits whose key is
 * known before the body is read (the client's address, the caller, path
 * parameters), and `consumeRateLimit` for the two keyed by the body (login
 * per phone number, lookup per phone number looked up). Over a limit the
 * error handler answers `429 RATE_LIMITED` with `Retry-After`. Nothing is
 * counted with `RATE_LIMITS=off`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { clientAddress } from './client-address.js';
import type { AppVariables } from './env.js';
import type { RateLimiters, RateLimitName } from './rate-limiters.js';

/** Any route environment that carries the limiters (every route's does). */
interface LimitedEnv {
  Variables: Pick<AppVariables, 'rateLimiters' | 'trustProxy'>;
}

/** Spends `points` of limit `name` for `key`; throws `RateLimitedError` when over. */
export async function consumeRateLimit<E extends LimitedEnv>(
  c: Context<E>,
  name: RateLimitName,
  key: string,
  points = 1,
): Promise<void> {
  const limiters = c.get('rateLimiters') as RateLimiters | undefined;
  if (limiters === undefined) return;
  await limiters[name].consume(key, points);
}

/** Middleware spending one point of limit `name` for the key `keyOf` gives, before the handler. */
export function rateLimit<E extends LimitedEnv>(
  name: RateLimitName,
  keyOf: (c: Context<E>) => string,
): MiddlewareHandler<E> {
  return async (c, next) => {
    await consumeRateLimit(c, name, keyOf(c));
    await next();
  };
}

/** The key of per-IP limits, read only when one is spent (most routes have none). */
export function byClientAddress<E extends LimitedEnv>(c: Context<E>): string {
  return clientAddress(c, c.get('trustProxy') as number);
}
