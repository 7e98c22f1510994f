/** @module `/healthz` and `/readyz` (API.md §9). No token needed. */
import { Hono } from 'hono';
import type { AppEnv } from '../env.js';
import { describe } from '../openapi.js';
import { ROUTE_DOCS } from '../route-docs.js';

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

  routes.get('/healthz', describe(ROUTE_DOCS.healthz), (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' }, 200);
  });

  routes.get('/readyz', describe(ROUTE_DOCS.readyz), async (c) => {
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
  });

  return routes;
}
