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
import {
  type AccessLog,
  type HttpMetrics,
  loginOutcome,
  type RequestRecord,
  UNMATCHED_ROUTE,
} from '../wire/observation.js';
import type { AppEnv } from './env.js';

export interface ObserveRequestsOptions {
  readonly metrics?: HttpMetrics;
  readonly accessLog?: AccessLog;
}

const LOGIN_ROUTE = '/api/auth/login';
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

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
