/** @module `GET /metrics` (API.md §9): the Prometheus text format. No token needed. */
import { Hono } from 'hono';
import type { HttpMetrics } from '../../wire/observation.js';
import type { AppEnv } from '../env.js';
import { describe } from '../openapi.js';
import { ROUTE_DOCS } from '../route-docs.js';

/** `/metrics`, serving what `metrics` has recorded. */
export function createMetricsRoutes(metrics: Pick<HttpMetrics, 'expose'>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/metrics', describe(ROUTE_DOCS.metrics), async (c) => {
    const { contentType, body } = await metrics.expose();
    c.header('Cache-Control', 'no-store');
    c.header('Content-Type', contentType);
    return c.body(body, 200);
  });
  return routes;
}
