/**
 * @module Information baseline for the `anatomy` scenario: the product's
 * authenticated profile route rebuilt one piece at a time from the product's
 * own modules, to show what each piece costs under load. `STEP` picks how far:
 *
 * - `hono`: a bare Hono route answering the profile JSON, built once;
 * - `edge`: + the product's edge middleware (request id, the answer headers,
 *   the request observer with nothing to report to);
 * - `auth`: + `requireAuth` (token check, session and user reads on the
 *   memory store) and the profile serialized per request;
 * - `route`: the users route group as the product defines it (its auth, the
 *   rate-limit slot, `getProfile`, the path parameter) instead of one route;
 * - `metrics`: + Prometheus metrics in the observer;
 * - `app`: the whole `createHttpApp` (every route group in the router,
 *   metrics, the error and not-found handlers).
 *
 * Apart from the ladder, `read` is a bare Hono route that reads the user
 * named in the path through the product's store (on MongoDB: the
 * repository's `findOne`) and answers its profile: no edge, no token. The
 * `db` scenario sets it beside the driver loop, as the floor of any HTTP
 * route doing that read.
 *
 * The graph (memory store, token service) is the product's `compose`, so
 * tokens and reads are the product's; its own server listens on an
 * ephemeral port only to register the bench user, which
 * `GET /bench/user` hands to the scenario (`/healthz` and `/bench/user` are
 * added to each step's app, after its routes).
 */
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { AppEnv, AuthEnv } from '../../adapters/http/env.js';
import type { RequestObserver } from '../../adapters/http/observe.js';
import type { UserId } from '../../core/index.js';
import { distModule } from '../lib/dist.js';
import { PORT } from './json-body.js';
import { READ_STEP, STEPS } from './product-steps-list.js';

const step = process.env.STEP ?? '';
if (!(STEPS as readonly string[]).includes(step) && step !== READ_STEP) {
  throw new Error(`STEP must be one of ${STEPS}, ${READ_STEP}`);
}

// The product's modules from its build, as the product itself runs (bench/lib/dist.ts).
const [
  { requireAuth },
  { createHttpApp },
  { requestEdge },
  { observeRequests },
  { createUserRoutes },
  { createPrometheusMetrics },
  { serializeProfile },
  { compose },
  { loadConfig },
  { toProfile },
] = await Promise.all([
  distModule<typeof import('../../adapters/http/auth.js')>('adapters/http/auth.js'),
  distModule<typeof import('../../adapters/http/create-http-app.js')>(
    'adapters/http/create-http-app.js',
  ),
  distModule<typeof import('../../adapters/http/edge.js')>('adapters/http/edge.js'),
  distModule<typeof import('../../adapters/http/observe.js')>('adapters/http/observe.js'),
  distModule<typeof import('../../adapters/http/routes/users.js')>('adapters/http/routes/users.js'),
  distModule<typeof import('../../adapters/metrics/prometheus-metrics.js')>(
    'adapters/metrics/prometheus-metrics.js',
  ),
  distModule<typeof import('../../adapters/wire/serialize.js')>('adapters/wire/serialize.js'),
  distModule<typeof import('../../apps/server/compose.js')>('apps/server/compose.js'),
  distModule<typeof import('../../apps/server/config.js')>('apps/server/config.js'),
  distModule<typeof import('../../core/index.js')>('core/index.js'),
]);

const composition = await compose(loadConfig({ ...process.env, PORT: '0' }));
const { deps } = composition;
const user = await new Promise<{ userId: string; token: string }>((resolve, reject) => {
  composition.server.listen(0, '127.0.0.1', async () => {
    const address = composition.server.address();
    if (address === null || typeof address === 'string') return reject(new Error('no address'));
    const answer = await fetch(`http://127.0.0.1:${address.port}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        // A number of its own: the database may hold the product's bench users.
        phoneNumber: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
        displayName: 'Bench steps',
        password: 'benchmark password 0123',
      }),
    });
    const body = (await answer.json()) as { userId: string; token: string };
    if (answer.status !== 201) reject(new Error(`register: ${answer.status}`));
    else resolve(body);
  });
});
const caller = await deps.users.findById(user.userId as UserId);
if (caller === null) throw new Error('the bench user is missing');
const PROFILE = serializeProfile(toProfile(caller));

const edge = (observer: RequestObserver) =>
  requestEdge({ observer, rateLimits: false, rateLimiters: undefined, trustProxy: 0 });
const quiet = observeRequests({});
const serialized = (c: Context<AuthEnv>) => c.json(serializeProfile(c.get('user')), 200);

function stepApp(): Hono<AppEnv> {
  if (step === 'app') {
    return createHttpApp(deps, { rateLimits: false, metrics: createPrometheusMetrics() });
  }
  const app = new Hono<AppEnv>();
  if (step === 'hono') {
    app.get('/api/users/:userId/profile', (c) => c.json(PROFILE, 200));
    return app;
  }
  if (step === READ_STEP) {
    app.get('/api/users/:userId/profile', async (c) => {
      const user = await deps.users.findById(c.req.param('userId') as UserId);
      return user === null ? c.notFound() : c.json(serializeProfile(toProfile(user)), 200);
    });
    return app;
  }
  const observer =
    step === 'metrics' ? observeRequests({ metrics: createPrometheusMetrics() }) : quiet;
  app.use(edge(observer));
  if (step === 'edge') app.get('/api/users/:userId/profile', (c) => c.json(PROFILE, 200));
  else if (step === 'auth') {
    const auth = new Hono<AuthEnv>();
    auth.get('/:userId/profile', requireAuth({ deps }), serialized);
    app.route('/api/users', auth);
  } else app.route('/api/users', createUserRoutes(deps));
  return app;
}

const app = stepApp();
app.get('/bench/user', (c) => c.json(user));
if (step !== 'app') app.get('/healthz', (c) => c.json({ status: 'ok' }));
createAdaptorServer({ fetch: app.fetch, hostname: '127.0.0.1' }).listen(PORT, '127.0.0.1');
// Exiting (rather than being killed) lets `--cpu-prof` write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
