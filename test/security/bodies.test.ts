/**
 * Slow, stalled and aborted request bodies on a real server (SECURITY.md):
 * a body must arrive within `BODY_READ_TIMEOUT` (`408 REQUEST_TIMEOUT`, the
 * connection closed, what it sent released), one address may send only so
 * many large bodies at once (`429`), publishes are rate-limited before their
 * body is read, and a client that hangs up mid-body is no server error.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../apps/server/logger.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { call, registerUser as registerInApp } from '../support/http.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { registerUser, type TestUser } from '../support/ws-client.js';
import { bundleWith, createLimitedApp, expectRateLimited, UNLIMITED } from './helpers.js';

/** A raw HTTP/1.1 request whose body is announced as `length` bytes but only `sent` arrive. */
interface PartialUpload {
  readonly socket: Socket;
  /** Everything the server answered, once the connection has closed. */
  readonly answer: Promise<string>;
}

function startUpload(
  server: RunningServer,
  token: string,
  options: { path?: string; length: number; sent: number },
): Promise<PartialUpload> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        [
          `POST ${options.path ?? '/api/chat/send'} HTTP/1.1`,
          `Host: ${url.host}`,
          'Content-Type: application/json',
          `Content-Length: ${options.length}`,
          `Authorization: Bearer ${token}`,
          '',
          '',
        ].join('\r\n'),
      );
      socket.write(`{"receiverId":"x","content":"${'a'.repeat(Math.max(0, options.sent - 30))}`);
      resolve({ socket, answer });
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    const answer = new Promise<string>((done) => {
      socket.on('close', () => done(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

function bodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

function recordingLogger() {
  const lines: { level: 'info' | 'warn' | 'error'; message: string; error?: unknown }[] = [];
  const logger: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    request: (fields) =>
      lines.push({ level: fields.status >= 500 ? 'error' : 'info', message: 'request' }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message, error) => lines.push({ level: 'error', message, error }),
  };
  return { logger, lines };
}

describe('body read deadline and large bodies per address', () => {
  let server: RunningServer;
  let alice: TestUser;
  beforeAll(async () => {
    server = await startTestServer({
      rateLimits: true,
      rateLimitRules: UNLIMITED,
      bodyReadTimeoutSec: 1,
      maxLargeBodiesPerIp: 2,
    });
    alice = await registerUser(server.url, 'Alice');
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a stalled body 408 REQUEST_TIMEOUT within the deadline and closes the connection', async () => {
    const started = Date.now();
    const upload = await startUpload(server, alice.token, { length: 500_000, sent: 200_000 });
    const answer = await upload.answer;
    expect(statusOf(answer)).toBe(408);
    expect(bodyOf(answer)).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: expect.any(String) },
    });
    expect(answer).toMatch(/\r\nx-request-id: /i);
    // Node's own timeout would have taken five minutes.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('lets one address send only so many large bodies at once; small ones and later ones pass', async () => {
    // A server of its own with a longer deadline: on a busy machine the two
    // stalled uploads may take a while to be admitted, and must still be
    // stalled (not yet 408) when the third is refused.
    const own = await startTestServer({
      rateLimits: true,
      rateLimitRules: UNLIMITED,
      bodyReadTimeoutSec: 5,
      maxLargeBodiesPerIp: 2,
    });
    try {
      const bob = await registerUser(own.url, 'Bob');
      const large = () =>
        callJson(own.url, 'POST', '/api/chat/send', {
          token: bob.token,
          body: { receiverId: bob.userId, content: 'é'.repeat(40_000) },
        });
      // Both stalled bodies must be being read before the third comes. On a
      // busy machine that can take a while, and a third that arrives first is
      // read itself and may take one of the two places: then the round is
      // started again.
      let stalled: PartialUpload[] = [];
      let third = { status: 0 } as Awaited<ReturnType<typeof large>>;
      for (let round = 0; round < 5 && third.status !== 429; round++) {
        for (const upload of stalled) upload.socket.destroy();
        stalled = await Promise.all([
          startUpload(own, bob.token, { length: 300_000, sent: 70_000 }),
          startUpload(own, bob.token, { length: 300_000, sent: 70_000 }),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 300 * (round + 1)));
        third = await large();
      }
      expect(third.status).toBe(429);
      expect(third.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const small = await callJson(own.url, 'POST', '/api/chat/send', {
        token: bob.token,
        body: { receiverId: bob.userId, content: 'small' },
      });
      expect(small.status).toBe(201);

      for (const upload of stalled) expect(statusOf(await upload.answer)).toBe(408);
      expect((await large()).status).toBe(201);
    } finally {
      await own.close();
    }
  });
});

describe('an upload the client aborts', () => {
  it('is logged quietly, counted as 499 (not a 5xx) and never answered 500', async () => {
    const { logger, lines } = recordingLogger();
    const server = await startTestServer({}, { logger });
    try {
      const alice = await registerUser(server.url, 'Alice');
      for (const path of ['/api/chat/send', '/api/keys/publish', '/api/users/lookup']) {
        const upload = await startUpload(server, alice.token, {
          path,
          length: 60_000,
          sent: 20_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        upload.socket.destroy();
        await upload.answer;
      }
      // The server noticed each: one access log line per request, all 499.
      await expect
        .poll(() => lines.filter((line) => line.message === 'request').length, { timeout: 5000 })
        .toBeGreaterThanOrEqual(4);
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
      const metrics = await fetch(new URL('/metrics', server.url)).then((res) => res.text());
      expect(metrics).not.toMatch(/mycalls_http_request_duration_seconds_count\{[^}]*status="5/);
      for (const route of ['/api/chat/send', '/api/keys/publish', '/api/users/lookup']) {
        expect(metrics).toContain(
          `mycalls_http_request_duration_seconds_count{method="POST",route="${route}",status="499"} 1`,
        );
      }
      expect((await callJson(server.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('key publishes', () => {
  it('are limited per user before the body is read', async () => {
    const { app } = await createLimitedApp({ publishPerUser: { points: 2, durationSec: 3600 } });
    const alice = await registerInApp(app);
    const bob = await registerInApp(app);
    const publish = (token: string, json: unknown) =>
      call(app, 'POST', '/api/keys/publish', { token, json });
    expect((await publish(alice.token, bundleWith(3))).status).toBe(200);
    expect((await publish(alice.token, { not: 'a bundle' })).status).toBe(400);
    expectRateLimited(await publish(alice.token, bundleWith(3)), 3600);
    expectRateLimited(
      await call(app, 'POST', '/api/keys/publish', {
        token: alice.token,
        raw: 'not even json',
        headers: { 'content-type': 'application/json' },
      }),
      3600,
    );
    expect((await publish(bob.token, bundleWith(3))).status).toBe(200);
  });
});
