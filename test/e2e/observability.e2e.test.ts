/**
 * `/metrics` and the request log against a real server (API.md §9): after
 * HTTP traffic, a WebSocket call and a key fetch, the scrape holds the
 * series with the right values; every request logged one JSON line with its
 * request id and route pattern, and no token reached the log.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES } from '../../adapters/metrics/prometheus-metrics.js';
import { createLogger } from '../../apps/server/logger.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { createPlainBundle, keyIds } from '../support/libsignal-keys.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser, type WsClient } from '../support/ws-client.js';

let server: RunningServer;
let other: RunningServer;
const clients: WsClient[] = [];
const logChunks: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      logChunks.push(chunk.toString());
      done();
    },
  });
  server = await startTestServer({}, { logger: createLogger({ level: 'info', destination }) });
  other = await startTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all([server.close(), other.close()]);
});

/** The value of one series, or undefined when the scrape lacks it. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(on: RunningServer = server): Promise<string> {
  const response = await fetch(new URL('/metrics', on.url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

function logLines(): Record<string, unknown>[] {
  return logChunks
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const duration = (labels: string) => `${METRIC_NAMES.httpRequestDuration}_count{${labels}}`;

describe('observability of a running server', () => {
  const tokens: string[] = [];
  let profileRequestId: string | null = null;

  it('scrapes the series of the traffic it served', async () => {
    const phoneNumber = '+12025550170';
    const registered = await callJson(server.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Olive', password: 'correct horse battery' },
    });
    expect(registered.status).toBe(201);
    const olive = registered.body as { token: string; userId: string };
    const bob = await registerUser(server.url, 'Bob');
    tokens.push(olive.token, bob.token);

    const login = (password: string) =>
      callJson(server.url, 'POST', '/api/auth/login', { body: { phoneNumber, password } });
    expect((await login('correct horse battery')).status).toBe(200);
    expect((await login('wrong horse battery')).status).toBe(401);
    expect((await login('wrong again')).status).toBe(401);

    const profile = await callJson(server.url, 'GET', `/api/users/${bob.userId}/profile`, {
      token: olive.token,
    });
    expect(profile.status).toBe(200);
    profileRequestId = profile.headers.get('x-request-id');

    // Key directory: two EC one-time keys, no Kyber one; three fetches empty the EC pool once.
    const bundle = createPlainBundle({ oneTimeIds: keyIds(2), kyberOneTimeIds: [] });
    const published = await callJson(server.url, 'POST', '/api/keys/publish', {
      token: bob.token,
      body: bundle,
    });
    expect(published.status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const fetched = await callJson(server.url, 'GET', `/api/keys/${bob.userId}/bundle`, {
        token: olive.token,
      });
      expect(fetched.status).toBe(200);
    }

    // A call: ring, accept, one relayed offer, hang up.
    const caller = await connectWs(server.url, olive.token);
    const callee = await connectWs(server.url, bob.token);
    clients.push(caller, callee);
    caller.send('call-user', { to: bob.userId, callId: 'metrics-call' });
    await callee.waitFor(frameOf('call-user', { callId: 'metrics-call' }));
    callee.send('call-accepted', { callId: 'metrics-call' });
    await caller.waitFor(frameOf('call-accepted', { callId: 'metrics-call' }));
    caller.send('offer', { callId: 'metrics-call', sdp: 'v=0' });
    await callee.waitFor(frameOf('offer', { callId: 'metrics-call' }));
    caller.send('call-ended', { callId: 'metrics-call' });
    await callee.waitFor(frameOf('call-ended', { callId: 'metrics-call' }));

    const text = await scrape();
    expect(sample(text, duration('method="POST",route="/api/auth/register",status="201"'))).toBe(2);
    expect(sample(text, duration('method="POST",route="/api/auth/login",status="401"'))).toBe(2);
    expect(
      sample(text, duration('method="GET",route="/api/users/:userId/profile",status="200"')),
    ).toBe(1);
    expect(
      sample(text, duration('method="GET",route="/api/keys/:userId/bundle",status="200"')),
    ).toBe(3);
    expect(text).not.toContain(bob.userId);

    expect(sample(text, `${METRIC_NAMES.logins}{outcome="success"}`)).toBe(1);
    expect(sample(text, `${METRIC_NAMES.logins}{outcome="invalid_credentials"}`)).toBe(2);

    const claims = METRIC_NAMES.oneTimeKeyClaims;
    expect(sample(text, `${claims}{pool="ec",result="claimed"}`)).toBe(2);
    expect(sample(text, `${claims}{pool="ec",result="empty"}`)).toBe(1);
    expect(sample(text, `${claims}{pool="kyber",result="empty"}`)).toBe(3);

    expect(sample(text, METRIC_NAMES.wsConnections)).toBe(2);
    const relayed = METRIC_NAMES.wsFramesRelayed;
    expect(sample(text, `${relayed}{type="call-user"}`)).toBe(1);
    expect(sample(text, `${relayed}{type="call-ringing"}`)).toBe(1);
    expect(sample(text, `${relayed}{type="call-accepted"}`)).toBe(1);
    expect(sample(text, `${relayed}{type="offer"}`)).toBe(1);
    expect(sample(text, `${relayed}{type="call-ended"}`)).toBe(1);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="completed"}`)).toBe(1);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="missed"}`)).toBe(0);

    // The scrape being answered is in flight; the process metrics are there.
    expect(sample(text, METRIC_NAMES.httpRequestsInFlight)).toBe(1);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // A closed connection leaves the gauge.
    await callee.close();
    await vi.waitFor(async () =>
      expect(sample(await scrape(), METRIC_NAMES.wsConnections)).toBe(1),
    );
  });

  it('keeps a second server in the same process apart', async () => {
    const text = await scrape(other);
    expect(sample(text, `${METRIC_NAMES.logins}{outcome="success"}`)).toBe(0);
    expect(sample(text, METRIC_NAMES.wsConnections)).toBe(0);
    expect(text).not.toContain('route="/api/auth/register"');
  });

  it('logged one JSON line per request with id, method, route, status and duration, and no token', () => {
    const requests = logLines().filter((line) => line.msg === 'request');
    const profile = requests.find((line) => line.requestId === profileRequestId);
    expect(profile).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: process.pid,
      hostname: expect.any(String),
      msg: 'request',
      requestId: profileRequestId,
      method: 'GET',
      route: '/api/users/:userId/profile',
      status: 200,
      durationMs: expect.any(Number),
    });
    const routes = requests.map((line) => `${line.method} ${line.route} ${line.status}`);
    expect(routes.filter((route) => route === 'POST /api/auth/login 401')).toHaveLength(2);
    // The WebSocket upgrades (token in the query string) are requests too.
    expect(routes.filter((route) => route === 'GET / 101')).toHaveLength(2);

    const written = logChunks.join('');
    expect(tokens).toHaveLength(2);
    for (const token of tokens) expect(written).not.toContain(token);
    expect(written).not.toContain('correct horse battery');
  });
});
