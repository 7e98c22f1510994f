/**
 * @module The HTTP app: health probes, the four API route groups, one error
 * handler and one not-found handler. It closes over the ports it is given and
 * knows nothing about sockets, servers or process lifetime.
 */
import { Hono } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import type { AppEnv, HttpDeps } from './env.js';
import {
  createErrorHandler,
  createNotFoundHandler,
  type ErrorLogger,
  errorResponse,
} from './error-handler.js';
import { createAuthRoutes } from './routes/auth.js';
import { createChatRoutes } from './routes/chat.js';
import { createHealthRoutes, type ReadinessProbe } from './routes/health.js';
import { createKeyRoutes } from './routes/keys.js';
import { createUserRoutes } from './routes/users.js';

export type { AppEnv, HttpDeps } from './env.js';
export type { ReadinessProbe, ReadinessReport } from './routes/health.js';

export interface HttpAppOptions {
  /** Asks the backing stores whether they answer; default: memory store, no Redis. */
  readonly readiness?: ReadinessProbe;
  /** The `RATE_LIMITS` switch (default on); carried in the context as `rateLimits`. */
  readonly rateLimits?: boolean;
  /** Receives unexpected errors (answered `500 INTERNAL`). Default: `console.error`. */
  readonly logger?: ErrorLogger;
}

/**
 * The whole HTTP API of API.md §1–5 and §9 as a Hono app. Serve it with
 * `@hono/node-server`, or call `app.request()` in tests.
 */
export function createHttpApp(deps: HttpDeps, options: HttpAppOptions = {}): Hono<AppEnv> {
  const rateLimits = options.rateLimits ?? true;
  const app = new Hono<AppEnv>();

  app.use(requestId());
  // Hono hands only Error instances to onError; wrap anything else thrown.
  app.use(async (_c, next) => {
    try {
      await next();
    } catch (thrown) {
      throw thrown instanceof Error
        ? thrown
        : new Error('A non-Error was thrown.', { cause: thrown });
    }
  });
  app.use(async (c, next) => {
    c.set('rateLimits', rateLimits);
    await next();
  });
  app.use('/api/*', async (c, next) => {
    await next();
    // Answers carry tokens and private data: no cache may keep them.
    c.header('Cache-Control', 'no-store');
  });
  // A known path with another method is a 404 NOT_FOUND (the contract has no
  // 405 code) that names the methods the path does take in `Allow`.
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        c.header('Allow', methods.join(', '));
        return errorResponse(
          c,
          'NOT_FOUND',
          `${c.req.method} is not supported on ${c.req.path}; use ${methods.join(', ')}.`,
        );
      },
    }),
  );

  app.route('/', createHealthRoutes({ readiness: options.readiness }));
  app.route('/api/auth', createAuthRoutes(deps));
  app.route('/api/users', createUserRoutes(deps));
  app.route('/api/chat', createChatRoutes(deps));
  app.route('/api/keys', createKeyRoutes(deps));

  app.notFound(createNotFoundHandler());
  app.onError(createErrorHandler({ logger: options.logger }));
  return app;
}
