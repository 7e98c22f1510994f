import { describe, expect, it } from 'vitest';
import { call, createTestApp } from '../../test/support/http.js';

describe('createHttpApp', () => {
  it('carries the RATE_LIMITS switch in the context, on by default', async () => {
    for (const [rateLimits, expected] of [
      [undefined, true],
      [true, true],
      [false, false],
    ] as const) {
      const { app } = await createTestApp({ http: { rateLimits } });
      app.get('/probe', (c) => c.json({ rateLimits: c.var.rateLimits }));
      const res = await call(app, 'GET', '/probe');
      expect(res.body, String(rateLimits)).toEqual({ rateLimits: expected });
    }
  });

  it('mounts the health probes and the four API groups', async () => {
    const { app } = await createTestApp();
    expect((await call(app, 'GET', '/healthz')).status).toBe(200);
    expect((await call(app, 'GET', '/readyz')).status).toBe(200);
    expect((await call(app, 'POST', '/api/auth/login', { json: {} })).status).toBe(400);
    for (const path of [
      '/api/users/x/profile',
      '/api/chat/conversations',
      '/api/keys/onetime/count',
    ]) {
      expect((await call(app, 'GET', path)).status, path).toBe(401);
    }
  });
});
