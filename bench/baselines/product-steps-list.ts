/** @module The steps of bench/baselines/product-steps.ts, in order, with what each adds. */
export const STEPS = ['hono', 'edge', 'auth', 'route', 'metrics', 'app'] as const;
export type Step = (typeof STEPS)[number];
/** Not a step of the ladder: a bare Hono route reading the user through the product's store (the `db` scenario). */
export const READ_STEP = 'read';

export const STEP_NOTES: Readonly<Record<Step | 'product', string>> = {
  hono: 'a bare Hono route answering the profile JSON built once',
  edge: "+ the product's edge middleware (request id, the 14 answer headers as one block, the request observer reporting nowhere)",
  auth: '+ requireAuth (token check, session and user reads on the memory store) and the profile serialized per request',
  route:
    'the users route group as the product defines it (its auth, the rate-limit slot, getProfile, the path parameter) in place of the one route',
  metrics:
    '+ Prometheus metrics (the duration histogram by method, route and status; the in-flight gauge)',
  app: 'the whole createHttpApp: every route group in the router, metrics, the error and not-found handlers',
  product:
    'the product server as started (startServer: + the WebSocket hub on the same server, connection tracking, access log at silent level)',
};
