/**
 * Headers and transport: secure headers on every answer, CORS for the
 * configured origins only, a request id on every error, no internals in any
 * answer, and no token in any log line (the WebSocket token travels in the
 * query string, so it is the one most at risk).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_CONTENT_SECURITY_POLICY } from '../../adapters/http/security-headers.js';
import { createLogger } from '../../apps/server/logger.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestApp,
  UNKNOWN_ID,
} from '../support/http.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import {
  connectWs,
  frameOf,
  refusedUpgrade,
  registerUser as registerOnServer,
  wsUrl,
} from '../support/ws-client.js';
import { createLimitedApp, expectError, recordingLogger } from './helpers.js';

const ORIGIN = 'https://app.example.org';

/** The secure headers every answer carries (security-headers.ts). */
function expectSecureHeaders(headers: Headers, label: string): void {
  expect(headers.get('x-content-type-options'), label).toBe('nosniff');
  expect(headers.get('x-frame-options'), label).toBe('DENY');
  expect(headers.get('referrer-policy'), label).toBe('no-referrer');
  expect(headers.get('strict-transport-security'), label).toMatch(/^max-age=\d+/);
  expect(headers.get('cross-origin-resource-policy'), label).toBe('same-origin');
  expect(headers.get('x-powered-by'), label).toBeNull();
  if (headers.get('content-type')?.startsWith('application/json')) {
    expect(headers.get('content-security-policy'), label).toBe(JSON_CONTENT_SECURITY_POLICY);
  }
}

describe('secure headers and request ids', () => {
  let t: TestApp;
  let alice: RegisteredUser;
  const logger = recordingLogger();

  beforeAll(async () => {
    const failing = await createTestApp();
    t = await createLimitedApp(
      { sendPerUser: { points: 1, durationSec: 60 } },
      {
        http: { logger },
        deps: {
          calls: {
            ...failing.deps.calls,
            listForUser: async () => {
              throw Object.assign(
                new Error('E11000 duplicate key error collection: mycalls.calls index: _id_'),
                { name: 'MongoServerError', code: 11000 },
              );
            },
          },
        },
      },
    );
    alice = await registerUser(t.app);
  });

  it('are on every answer, success and every kind of error alike', async () => {
    const cases: [string, Promise<{ status: number; headers: Headers; body: unknown }>][] = [
      ['200 healthz', call(t.app, 'GET', '/healthz')],
      ['200 api', call(t.app, 'GET', '/api/keys/onetime/count', { token: alice.token })],
      ['400', call(t.app, 'POST', '/api/auth/login', { json: { phoneNumber: 1 } })],
      ['401', call(t.app, 'GET', '/api/calls')],
      ['404', call(t.app, 'GET', '/nowhere')],
      ['404 method', call(t.app, 'DELETE', '/healthz')],
      [
        '413',
        call(t.app, 'POST', '/api/auth/login', {
          raw: `{"x":"${'a'.repeat(70_000)}"}`,
          headers: { 'content-type': 'application/json' },
        }),
      ],
      ['415', call(t.app, 'POST', '/api/auth/login', { raw: 'x' })],
      ['500', call(t.app, 'GET', '/api/calls', { token: alice.token })],
    ];
    for (const [label, pending] of cases) {
      const res = await pending;
      expectSecureHeaders(res.headers, label);
      if (res.status >= 400) expect(res.headers.get('x-request-id'), label).toBeTruthy();
    }
    const send = () =>
      call(t.app, 'POST', '/api/chat/send', {
        token: alice.token,
        json: { receiverId: alice.userId, content: 'x' },
      });
    expect((await send()).status).toBe(201);
    const limited = await send();
    expectError(limited, 'RATE_LIMITED');
    expectSecureHeaders(limited.headers, '429');
  });

  it('echo a sane client request id and replace an unsafe one', async () => {
    const echoed = await call(t.app, 'GET', '/nowhere', {
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42');
    for (const unsafe of ['has space', 'a'.repeat(256), 'inject\\r\\nX-Evil: 1', '<script>']) {
      const res = await call(t.app, 'GET', '/nowhere', { headers: { 'x-request-id': unsafe } });
      expect(res.headers.get('x-request-id'), unsafe).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a 500 carries no stack trace or driver message; the log has it under the request id', async () => {
    const res = await call(t.app, 'GET', '/api/calls', {
      token: alice.token,
      headers: { 'x-request-id': 'req-500' },
    });
    expectError(res, 'INTERNAL');
    const text = JSON.stringify(res.body);
    for (const leak of ['E11000', 'MongoServerError', 'mycalls', ' at ', '.ts:', 'stack']) {
      expect(text, leak).not.toContain(leak);
    }
    expect(res.headers.get('x-request-id')).toBe('req-500');
    const logged = logger.errors.find((entry) => entry.message.includes('req-500'));
    expect(logged?.error).toBeInstanceOf(Error);
  });
});

describe('CORS', () => {
  const preflight = (app: TestApp['app'], origin: string) =>
    call(app, 'OPTIONS', '/api/chat/send', {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('without CORS_ORIGINS: no CORS header on any answer, preflights included', async () => {
    const { app } = await createTestApp();
    const simple = await call(app, 'GET', '/healthz', { headers: { origin: ORIGIN } });
    const pre = await preflight(app, ORIGIN);
    for (const res of [simple, pre]) {
      for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
    }
    expect(pre.status).not.toBe(204);
  });

  it('with CORS_ORIGINS: the listed origin only, on successes and errors alike', async () => {
    const { app } = await createTestApp({ http: { corsOrigins: [ORIGIN] } });
    const pre = await preflight(app, ORIGIN);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();

    const error = await call(app, 'GET', '/api/calls', { headers: { origin: ORIGIN } });
    expect(error.status).toBe(401);
    expect(error.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(error.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect(error.headers.get('vary')).toContain('Origin');

    for (const stranger of [
      'https://evil.example.org',
      'https://app.example.org.evil.org',
      'null',
    ]) {
      const res = await call(app, 'GET', '/healthz', { headers: { origin: stranger } });
      for (const [name] of res.headers) expect(name, stranger).not.toMatch(/^access-control-/);
      expect(res.headers.get('vary')).toContain('Origin');
      const strangerPreflight = await preflight(app, stranger);
      expect(strangerPreflight.status, stranger).not.toBe(204);
      expect(strangerPreflight.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe('logs', () => {
  let server: RunningServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger({ level: 'trace', destination }) });
  });
  afterAll(() => server.close());

  it('never hold a token: sockets, refused upgrades, query strings, headers and error texts', async () => {
    const alice = await registerOnServer(server.url, 'Alice');
    const tokens = [alice.token];

    // Sockets on both paths, with frames that fail.
    for (const path of ['/', '/ws']) {
      const socket = await connectWs(server.url, alice.token, { path });
      socket.sendRaw('{not json');
      socket.send('call-user', { to: UNKNOWN_ID });
      await socket.waitFor(frameOf('error', { code: 'USER_NOT_FOUND' }));
      await socket.close();
    }
    // Refused upgrades: a token that does not verify, one of an unknown user, a wrong path.
    const [header, payload] = alice.token.split('.') as [string, string];
    const tampered = `${header}.${payload}.AAAA${alice.token.slice(-20)}`;
    tokens.push(tampered);
    expect((await refusedUpgrade(wsUrl(server.url, '/', tampered))).status).toBe(401);
    expect((await refusedUpgrade(wsUrl(server.url, '/elsewhere', alice.token))).status).toBe(404);
    // HTTP: tokens in the query string, in headers, and in the text of an unexpected error.
    await callJson(server.url, 'GET', `/api/calls?token=${alice.token}`);
    await callJson(server.url, 'GET', `/nowhere?token=${alice.token}`);
    await callJson(server.url, 'GET', '/api/calls', { token: alice.token });
    server.deps.calls.listForUser = async () => {
      throw new Error(`driver failed for token ${alice.token}`);
    };
    const failed = await callJson(server.url, 'GET', '/api/calls', { token: alice.token });
    expect(failed.status).toBe(500);

    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    // The unexpected error was logged, under the request id its answer carried.
    expect(log).toContain(failed.headers.get('x-request-id') ?? 'missing request id');
    for (const token of tokens) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split('.')[2]);
    }
  });
});
