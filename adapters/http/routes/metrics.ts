/** @module `GET /metrics` (API.md §9): the Prometheus text format. No token needed. */
import { Hono } from 'hono';
import type { HttpMetrics } from '../../wire/observation.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv } from '../env.js';

/** `/metrics`, serving what `metrics` has recorded. */
export function createMetricsRoutes(metrics: Pick<HttpMetrics, 'expose'>): Hono<AppEnv> {
  return mountRoutes(new Hono<AppEnv>(), [
    defineRoute({
      method: 'get',
      path: '/metrics',
      doc: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        responses: {
          200: {
            description: 'The Prometheus text exposition format.',
            content: {
              'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } },
            },
          },
        },
      },
      handler: async (c) => {
        const { contentType, body } = await metrics.expose();
        c.header('Cache-Control', 'no-store');
        c.header('Content-Type', contentType);
        return c.body(body, 200);
      },
    }),
  ]);
}
