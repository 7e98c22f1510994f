/**
 * @module Request observation for the HTTP app: the app's edge middleware
 * (edge.ts) times every request with it and hands a `RequestRecord` (request
 * id, method, route pattern, status, duration) to the metrics and to the
 * access log. Routes are the patterns they were registered with
 * (`/api/users/:userId/profile`), never raw paths, so ids never become label
 * values or log fields.
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from './env.js';

/** What one answered request looked like. */
export interface RequestRecord {
  /** The `X-Request-Id` the answer carries. */
  readonly requestId: string;
  /** The method, or `OTHER` for a method no route uses. */
  readonly method: string;
  /** The matched route pattern, or `UNMATCHED_ROUTE` when no route took the request. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

/** How a `POST /api/auth/login` ended, from its status (API.md §2). */
export type LoginOutcome =
  | 'success'
  | 'invalid_credentials'
  | 'invalid_request'
  | 'rate_limited'
  | 'unavailable'
  | 'error';

export const LOGIN_OUTCOMES: readonly LoginOutcome[] = [
  'success',
  'invalid_credentials',
  'invalid_request',
  'rate_limited',
  'unavailable',
  'error',
];

/** A Prometheus text exposition, or any other format a scraper reads. */
export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

/** What the HTTP app records and serves at `/metrics`; the server gives it a per-instance registry. */
export interface HttpMetrics {
  /** A request has come in (the in-flight gauge). */
  requestStarted(): void;
  /** A request has been answered. */
  requestFinished(record: RequestRecord): void;
  loginAttempted(outcome: LoginOutcome): void;
  /** Everything recorded so far, for `GET /metrics`. */
  expose(): Promise<MetricsExposition>;
}

/** Receives one record per answered request (the server logs it). */
export type AccessLog = (record: RequestRecord) => void;

export interface ObserveRequestsOptions {
  readonly metrics?: HttpMetrics;
  readonly accessLog?: AccessLog;
}

/** The route label of requests no route took (404s, wrong methods). */
export const UNMATCHED_ROUTE = '(unmatched)';

const LOGIN_ROUTE = '/api/auth/login';
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The status of a login answer read as its outcome. */
export function loginOutcome(status: number): LoginOutcome {
  if (status >= 200 && status < 300) return 'success';
  switch (status) {
    case 401:
      return 'invalid_credentials';
    case 400:
    case 413:
    case 415:
      return 'invalid_request';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return 'error';
  }
}

/**
 * The pattern of the first route (not middleware: `use()` registers with
 * method `ALL`) that matched the request; it answers even when a middleware
 * in front of it (auth, a rate limit) refused the request.
 */
export function routeOf(c: Context): string {
  const route = matchedRoutes(c).find((candidate) => candidate.method !== 'ALL');
  return route?.path ?? UNMATCHED_ROUTE;
}

/** Times requests and reports each to `metrics` and `accessLog`. */
export interface RequestObserver {
  /** A request has come in; returns its start time for `finished`. */
  started(): number;
  /** The request is answered (`failed`: it threw past every handler, so it is a 500). */
  finished(c: Context<AppEnv>, startedAt: number, failed: boolean): void;
}

/** The observer the app's edge middleware calls around every request. */
export function observeRequests(options: ObserveRequestsOptions): RequestObserver {
  const { metrics, accessLog } = options;
  return {
    started() {
      metrics?.requestStarted();
      return performance.now();
    },
    finished(c, startedAt, failed) {
      const method = c.req.method.toUpperCase();
      const record: RequestRecord = {
        requestId: String(c.get('requestId') ?? ''),
        method: KNOWN_METHODS.has(method) ? method : 'OTHER',
        route: routeOf(c),
        status: failed ? 500 : c.res.status,
        durationMs: performance.now() - startedAt,
      };
      metrics?.requestFinished(record);
      if (record.route === LOGIN_ROUTE && record.method === 'POST') {
        metrics?.loginAttempted(loginOutcome(record.status));
      }
      accessLog?.(record);
    },
  };
}
