import { describe, expect, it } from 'vitest';
import { call, createTestApp } from '../../../test/support/http.js';
import type { ReadinessReport } from './health.js';

const appWith = async (readiness?: () => Promise<ReadinessReport>) =>
  (await createTestApp({ http: readiness ? { readiness } : {} })).app;

describe('GET /healthz', () => {
  it('answers 200 { status: "ok" } without a token', async () => {
    const res = await call(await appWith(), 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('stays 200 while the stores are down', async () => {
    const res = await call(
      await appWith(async () => ({ mongo: 'down', redis: 'down' })),
      'GET',
      '/healthz',
    );
    expect(res.status).toBe(200);
  });
});

describe('GET /readyz', () => {
  it('is ready on the embedded memory store without Redis by default', async () => {
    const res = await call(await appWith(), 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ mongo: 'memory', redis: 'disabled' });
  });

  it.each([
    [{ mongo: 'up', redis: 'up' }, 200],
    [{ mongo: 'up', redis: 'disabled' }, 200],
    [{ mongo: 'down', redis: 'up' }, 503],
    [{ mongo: 'up', redis: 'down' }, 503],
    [{ mongo: 'memory', redis: 'down' }, 503],
  ] as const)('answers %j with %i', async (report, status) => {
    const res = await call(await appWith(async () => report), 'GET', '/readyz');
    expect(res.status).toBe(status);
    expect(res.body).toEqual(report);
  });

  it('answers 503 when the probe itself fails', async () => {
    const res = await call(
      await appWith(async () => {
        throw new Error('probe broke');
      }),
      'GET',
      '/readyz',
    );
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ mongo: 'down', redis: 'down' });
  });
});
