/** @module `/healthz` and `/readyz` (API.md §9). No token needed. */
import { Hono } from 'hono';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv } from '../env.js';
import { HealthResponse, ReadinessResponse } from '../schemas.js';

/** What the backing stores answered. */
export interface ReadinessReport {
  readonly mongo: 'up' | 'down' | 'memory';
  readonly redis: 'up' | 'down' | 'disabled';
}

/** Asks every configured store whether it answers. */
export type ReadinessProbe = () => Promise<ReadinessReport>;

export interface HealthRoutesOptions {
  /** Default: the embedded memory store and no Redis, always ready. */
  readonly readiness?: ReadinessProbe;
}

const memoryOnly: ReadinessProbe = async () => ({ mongo: 'memory', redis: 'disabled' });

/** True when every configured store answers. */
export function isReady(report: ReadinessReport): boolean {
  return report.mongo !== 'down' && report.redis !== 'down';
}

/** `/healthz` (the process runs) and `/readyz` (every configured store answers). */
export function createHealthRoutes(options: HealthRoutesOptions = {}): Hono<AppEnv> {
  const readiness = options.readiness ?? memoryOnly;
  const routes = new Hono<AppEnv>();

  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/healthz',
      doc: {
        operationId: 'healthz',
        summary: 'Liveness: the process runs',
        responses: {
          200: { description: 'Always, while the process runs.', schema: HealthResponse },
        },
      },
      handler: (c) => {
        c.header('Cache-Control', 'no-store');
        return c.json({ status: 'ok' }, 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      doc: {
        operationId: 'readyz',
        summary: 'Readiness: every configured store answers',
        responses: {
          200: {
            description: 'Ready (`memory` and `disabled` count as ready).',
            schema: ReadinessResponse,
          },
          503: { description: 'A store is down.', schema: ReadinessResponse },
        },
      },
      handler: async (c) => {
        c.header('Cache-Control', 'no-store');
        let report: ReadinessReport;
        try {
          report = await readiness();
        } catch {
          // A probe that cannot even run says nothing is known to answer.
          report = { mongo: 'down', redis: 'down' };
        }
        const body = { mongo: report.mongo, redis: report.redis };
        return c.json(body, isReady(report) ? 200 : 503);
      },
    }),
  ]);
}
