import { describe, expect, it } from 'vitest';
import { call, createTestApp, registerUser, TEST_PASSWORD } from '../../test/support/http.js';
import {
  type HttpMetrics,
  type LoginOutcome,
  loginOutcome,
  type RequestRecord,
  UNMATCHED_ROUTE,
} from '../wire/observation.js';

/** HttpMetrics that remembers what it was told. */
function recordingMetrics() {
  const requests: RequestRecord[] = [];
  const logins: LoginOutcome[] = [];
  let inFlight = 0;
  const metrics: HttpMetrics = {
    requestStarted: () => {
      inFlight += 1;
    },
    requestFinished: (record) => {
      inFlight -= 1;
      requests.push(record);
    },
    loginAttempted: (outcome) => logins.push(outcome),
    expose: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
  };
  return { metrics, requests, logins, inFlight: () => inFlight };
}

async function observedApp() {
  const recorded = recordingMetrics();
  const logged: RequestRecord[] = [];
  const test = await createTestApp({
    http: { metrics: recorded.metrics, accessLog: (record) => logged.push(record) },
  });
  return { ...test, ...recorded, logged };
}

describe('observeRequests', () => {
  it('reports the route pattern, never the raw path, with the request id the answer carries', async () => {
    const { app, requests, logged, inFlight } = await observedApp();
    const alice = await registerUser(app);
    const answer = await call(app, 'GET', `/api/users/${alice.userId}/profile`, {
      token: alice.token,
    });
    expect(answer.status).toBe(200);

    const last = requests.at(-1);
    expect(last).toMatchObject({
      method: 'GET',
      route: '/api/users/:userId/profile',
      status: 200,
      requestId: answer.headers.get('x-request-id'),
    });
    expect(last?.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(requests)).not.toContain(alice.userId);
    expect(logged).toEqual(requests);
    expect(inFlight()).toBe(0);
  });

  it('names the route even when a middleware in front of it refused the request', async () => {
    const { app, requests } = await observedApp();
    await call(app, 'GET', '/api/users/660000000000000000000001/profile');
    expect(requests.at(-1)).toMatchObject({ route: '/api/users/:userId/profile', status: 401 });
  });

  it('puts requests no route took under one label', async () => {
    const { app, requests } = await observedApp();
    await call(app, 'GET', '/no/such/path/660000000000000000000001');
    await call(app, 'DELETE', '/healthz');
    await app.request('/healthz', { method: 'PROPFIND' });
    expect(requests.map(({ method, route, status }) => ({ method, route, status }))).toEqual([
      { method: 'GET', route: UNMATCHED_ROUTE, status: 404 },
      { method: 'DELETE', route: UNMATCHED_ROUTE, status: 404 },
      { method: 'OTHER', route: UNMATCHED_ROUTE, status: 404 },
    ]);
  });

  it('counts login outcomes', async () => {
    const { app, logins } = await observedApp();
    const alice = await registerUser(app);
    const login = (json: unknown) => call(app, 'POST', '/api/auth/login', { json });
    expect((await login({ phoneNumber: alice.phoneNumber, password: TEST_PASSWORD })).status).toBe(
      200,
    );
    expect((await login({ phoneNumber: alice.phoneNumber, password: 'wrong one' })).status).toBe(
      401,
    );
    expect((await login({ phoneNumber: 42 })).status).toBe(400);
    expect(logins).toEqual(['success', 'invalid_credentials', 'invalid_request']);
  });

  it('serves /metrics without a token, and only when given metrics', async () => {
    const { app } = await observedApp();
    const answer = await call(app, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toBe('up 1\n');

    const bare = await createTestApp();
    expect((await call(bare.app, 'GET', '/metrics')).status).toBe(404);
  });
});

describe('loginOutcome', () => {
  it('reads each status the login route answers', () => {
    expect(
      [200, 401, 400, 413, 415, 429, 503, 500].map((status) => [status, loginOutcome(status)]),
    ).toEqual([
      [200, 'success'],
      [401, 'invalid_credentials'],
      [400, 'invalid_request'],
      [413, 'invalid_request'],
      [415, 'invalid_request'],
      [429, 'rate_limited'],
      [503, 'unavailable'],
      [500, 'error'],
    ]);
  });
});
