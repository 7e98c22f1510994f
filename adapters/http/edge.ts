/**
 * @module The one middleware every request passes first. It does in one
 * step what used to be six (request id, observation, error wrapping, the
 * rate-limit context, secure headers, `Cache-Control`): each of those
 * wrapped the rest of the chain in another async frame, and the ones that
 * set headers after the handler turned every answer into a full undici
 * `Response`. Here every header is set before the handler runs
 * (node-bindings.ts), so an ordinary JSON answer is written straight from
 * the string the handler built.
 */
import type { MiddlewareHandler } from 'hono';
import type { BodyGuard } from './body-guard.js';
import type { AppEnv } from './env.js';
import { presetHeaderBlock, requestHeader } from './node-bindings.js';
import type { RequestObserver } from './observe.js';
import type { RateLimiters } from './rate-limiters.js';
import { SECURE_HEADER_BLOCK } from './security-headers.js';

export interface EdgeOptions {
  readonly observer: RequestObserver;
  /** The `RATE_LIMITS` switch, carried in the context as `rateLimits`. */
  readonly rateLimits: boolean;
  /** What `rateLimit()` spends from; undefined when `rateLimits` is off. */
  readonly rateLimiters: RateLimiters | undefined;
  /** Reverse proxies of ours in front of the server, carried in the context (client-address.ts). */
  readonly trustProxy: number;
  /** Bounds every body read (json-body.ts), carried in the context as `bodyGuard`. */
  readonly bodyGuard?: BodyGuard;
}

const REQUEST_ID_HEADER = 'X-Request-Id';
// Answers carry tokens and private data: no cache may keep them.
const NO_STORE = ['Cache-Control', 'no-store'] as const;
const MAX_REQUEST_ID_LENGTH = 255;
/** Anything but `A–Z a–z 0–9 _ - =` makes a client's request id unsafe to echo or log. */
const UNSAFE_REQUEST_ID = /[^\w\-=]/;

/** The client's `X-Request-Id` when it is sane, else a fresh UUID (as `hono/request-id` does). */
function requestIdOf(sent: string | undefined): string {
  const sane =
    sent !== undefined &&
    sent !== '' &&
    sent.length <= MAX_REQUEST_ID_LENGTH &&
    !UNSAFE_REQUEST_ID.test(sent);
  return sane ? sent : crypto.randomUUID();
}

/**
 * Gives the request its id (`X-Request-Id` on the answer), the rate-limit
 * context and the secure headers (`Cache-Control: no-store` under `/api/`),
 * and reports it to the observer once answered. Hono hands only Error
 * instances to `onError`: anything else thrown is wrapped in one here.
 */
export function requestEdge(options: EdgeOptions): MiddlewareHandler<AppEnv> {
  const { observer, rateLimits, rateLimiters, trustProxy, bodyGuard } = options;
  return async (c, next) => {
    const startedAt = observer.started();
    const requestId = requestIdOf(requestHeader(c, 'x-request-id'));
    c.set('requestId', requestId);
    c.set('rateLimits', rateLimits);
    c.set('rateLimiters', rateLimiters);
    c.set('trustProxy', trustProxy);
    c.set('bodyGuard', bodyGuard);
    const path = c.req.path;
    const api = path === '/api' || path.startsWith('/api/');
    presetHeaderBlock(
      c,
      [REQUEST_ID_HEADER, requestId],
      SECURE_HEADER_BLOCK,
      api ? NO_STORE : undefined,
    );
    let failed = false;
    try {
      await next();
    } catch (thrown) {
      failed = true;
      throw thrown instanceof Error
        ? thrown
        : new Error('A non-Error was thrown.', { cause: thrown });
    } finally {
      observer.finished(c, startedAt, failed);
    }
  };
}
