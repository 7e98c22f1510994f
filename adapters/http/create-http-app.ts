/**
 * @module The HTTP app: health probes, the five API route groups, the
 * OpenAPI document and docs page generated from them, the web app, one error handler and
 * one not-found handler. It closes over the ports it is given and
 * knows nothing about sockets, servers or process lifetime.
 */
import { Hono } from 'hono';
import type { AccessLog, HttpMetrics } from '../wire/observation.js';
import { type BodyGuardOptions, createBodyGuard } from './body-guard.js';
import { requestEdge } from './edge.js';
import type { AppEnv, HttpDeps } from './env.js';
import { createErrorHandler, createNotFoundHandler, type ErrorLogger } from './error-handler.js';
import { observeRequests } from './observe.js';
import { generateOpenApiDocument } from './openapi-document.js';
import { createRateLimiters, type RateLimiters } from './rate-limiters.js';
import { createAuthRoutes } from './routes/auth.js';
import { createCallRoutes, type IceServerSource } from './routes/calls.js';
import { createChatRoutes } from './routes/chat.js';
import { createDocsRoutes } from './routes/docs.js';
import { createHealthRoutes, type ReadinessProbe } from './routes/health.js';
import { createKeyRoutes } from './routes/keys.js';
import { createMetricsRoutes } from './routes/metrics.js';
import { createPushRegistrationRoutes, createPushRoutes } from './routes/push.js';
import { createSyncRoutes } from './routes/sync.js';
import { createUserRoutes } from './routes/users.js';
import { createWebRoutes } from './routes/web.js';
import { corsForOrigins } from './security-headers.js';

export type { AccessLog, HttpMetrics, RequestRecord } from '../wire/observation.js';
export type { AppEnv, HttpDeps } from './env.js';
export type { IceServerList, IceServerSource } from './routes/calls.js';
export type { ReadinessProbe, ReadinessReport } from './routes/health.js';

export interface HttpAppOptions {
  /** Asks the backing stores whether they answer; default: memory store, no Redis. */
  readonly readiness?: ReadinessProbe;
  /** The `RATE_LIMITS` switch (default on); carried in the context as `rateLimits`. */
  readonly rateLimits?: boolean;
  /** Receives unexpected errors (answered `500 INTERNAL`). Default: `console.error`. */
  readonly logger?: ErrorLogger;
  /** Answers `GET /api/calls/ice-servers` (STUN, TURN credentials); default: none configured. */
  readonly iceServers?: IceServerSource;
  /** `GET /api/push/vapid-public-key`'s answer; absent or null: 404 (no Web Push). */
  readonly vapidPublicKey?: string | null;
  /** The limiters spent while `rateLimits` is on. Default: in memory with the default rules. */
  readonly rateLimiters?: RateLimiters;
  /** Reverse proxies of ours in front of the server (`TRUST_PROXY`); default 0: X-Forwarded-For ignored. */
  readonly trustProxy?: number;
  /** Browser origins allowed cross-origin (`CORS_ORIGINS`); default none: no CORS headers. */
  readonly corsOrigins?: readonly string[];
  /** Records every request and serves `GET /metrics`; without it there is no `/metrics`. */
  readonly metrics?: HttpMetrics;
  /** Receives one record per answered request (request id, method, route, status, duration). */
  readonly accessLog?: AccessLog;
  /**
   * Body read deadline and large bodies in flight per address (`BODY_READ_TIMEOUT`,
   * `MAX_LARGE_BODIES_PER_IP`); the defaults when absent. The cap is off with `rateLimits` off.
   */
  readonly bodies?: BodyGuardOptions;
  /** The built web app served at `/` (apps/web); default `dist/web/` of this package. */
  readonly webDir?: string;
}

/**
 * The whole HTTP API of API.md §1–6 and §9 as a Hono app. Serve it with
 * `@hono/node-server`, or call `app.request()` in tests.
 */
export function createHttpApp(deps: HttpDeps, options: HttpAppOptions = {}): Hono<AppEnv> {
  const rateLimits = options.rateLimits ?? true;
  const rateLimiters = rateLimits ? (options.rateLimiters ?? createRateLimiters()) : undefined;
  const app = new Hono<AppEnv>();

  app.use(
    requestEdge({
      observer: observeRequests({ metrics: options.metrics, accessLog: options.accessLog }),
      rateLimits,
      rateLimiters,
      trustProxy: options.trustProxy ?? 0,
      bodyGuard: createBodyGuard({
        ...options.bodies,
        ...(rateLimits ? {} : { maxLargeBodiesPerAddress: null }),
      }),
    }),
  );
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    app.use(corsForOrigins(options.corsOrigins));
  }
  app.route('/', createHealthRoutes({ readiness: options.readiness }));
  if (options.metrics !== undefined) app.route('/', createMetricsRoutes(options.metrics));
  app.route('/api/auth', createAuthRoutes(deps));
  app.route('/api/auth/sessions/current/push', createPushRegistrationRoutes(deps));
  app.route('/api/push', createPushRoutes({ vapidPublicKey: options.vapidPublicKey ?? null }));
  app.route('/api/users', createUserRoutes(deps));
  app.route('/api/chat', createChatRoutes(deps));
  app.route('/api/keys', createKeyRoutes(deps));
  app.route('/api/calls', createCallRoutes(deps, { iceServers: options.iceServers }));
  app.route('/api/sync', createSyncRoutes(deps));
  // `/openapi.json` and `/docs`: the document is generated from this app's routes.
  app.route('/', createDocsRoutes({ document: () => generateOpenApiDocument(app) }));
  app.route('/', createWebRoutes(options.webDir === undefined ? {} : { dir: options.webDir }));

  app.notFound(createNotFoundHandler(app));
  app.onError(createErrorHandler({ logger: options.logger }));
  return app;
}
