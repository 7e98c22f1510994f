/**
 * The app served by `@hono/node-server` on a real socket, where it reads
 * request headers and bodies from Node's request and presets the common
 * response headers on Node's response (node-bindings.ts): every answer must
 * be what `app.request()` gives, which the rest of the suite checks in detail.
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
} from '../../test/support/http.js';
import { DOCS_CONTENT_SECURITY_POLICY } from './routes/docs.js';
import { JSON_CONTENT_SECURITY_POLICY, SECURE_RESPONSE_HEADERS } from './security-headers.js';

let app: TestHttpApp;
let alice: RegisteredUser;
let server: ReturnType<typeof serve>;
let base: string;

beforeAll(async () => {
  ({ app } = await createTestApp());
  alice = await registerUser(app);
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const KiB = 1024;
const jsonHeaders = { 'content-type': 'application/json' };

/** Headers that differ from one answer to the next or belong to the transport. */
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive', 'x-request-id', 'content-length']);

function stableHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries([...headers].filter(([name]) => !PER_ANSWER.has(name)));
}

async function overSocket(path: string, init: RequestInit & { duplex?: 'half' } = {}) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(text) : text };
}

/** One raw HTTP/1.1 request (for what fetch cannot send, e.g. a repeated header); the status. */
function rawStatus(lines: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status?.[1] !== undefined) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', reject);
    socket.write(`${[...lines, 'Host: 127.0.0.1', 'Connection: close'].join('\r\n')}\r\n\r\n`);
  });
}

describe('answers over a real socket', () => {
  it('carry the same headers as through app.request(): secure headers, JSON CSP, no-store, request id', async () => {
    const path = `/api/users/${alice.userId}/profile`;
    const socket = await overSocket(path, { headers: { authorization: `Bearer ${alice.token}` } });
    const direct = await call(app, 'GET', path, { token: alice.token });
    expect(socket.status).toBe(200);
    expect(socket.body).toEqual(direct.body);
    expect(stableHeaders(socket.headers)).toEqual(stableHeaders(direct.headers));
    for (const [name, value] of SECURE_RESPONSE_HEADERS) {
      expect(socket.headers.get(name), name).toBe(value);
    }
    expect(socket.headers.get('content-security-policy')).toBe(JSON_CONTENT_SECURITY_POLICY);
    expect(socket.headers.get('cache-control')).toBe('no-store');
    expect(socket.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('carry the same headers on errors, with WWW-Authenticate on a 401', async () => {
    const socket = await overSocket('/api/calls');
    const direct = await call(app, 'GET', '/api/calls');
    expect(socket.status).toBe(401);
    expect(socket.headers.get('www-authenticate')).toBe('Bearer');
    expect(stableHeaders(socket.headers)).toEqual(stableHeaders(direct.headers));
  });

  it('echo a sane client request id and replace an unsafe one', async () => {
    const echoed = await overSocket('/healthz', { headers: { 'x-request-id': 'trace-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42');
    const replaced = await overSocket('/healthz', { headers: { 'x-request-id': '<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("let a handler's own headers win: the documentation page keeps its CSP", async () => {
    const res = await overSocket('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuse repeated credential headers as ambiguous', async () => {
    const path = `GET /api/users/${alice.userId}/profile HTTP/1.1`;
    expect(await rawStatus([path, `Authorization: Bearer ${alice.token}`])).toBe(200);
    const twice = [path, `Authorization: Bearer ${alice.token}`, 'Authorization: Bearer other'];
    expect(await rawStatus(twice)).toBe(401);
  });
});

describe('JSON bodies read from the socket', () => {
  const presence = (
    body: NonNullable<RequestInit['body']>,
    headers: Record<string, string> = jsonHeaders,
  ) =>
    overSocket('/api/users/presence', {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${alice.token}` },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' as const } : {}),
    });

  it('are parsed and validated', async () => {
    const res = await presence(JSON.stringify({ userIds: [alice.userId] }));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([alice.userId]);
  });

  it('are checked in the documented order: media type, size, presence, syntax, shape', async () => {
    const big = `{"pad":"${'x'.repeat(64 * KiB)}"}`;
    expect((await presence(big, { 'content-type': 'text/plain' })).body.error.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect((await presence(big)).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await presence('')).body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await presence('{"userIds":')).body.error.code).toBe('INVALID_JSON');
    expect((await presence(new Uint8Array([0x7b, 0xff, 0x7d]))).body.error.code).toBe(
      'INVALID_JSON',
    );
    const array = await presence('[]');
    expect(array.body.error.code).toBe('VALIDATION_FAILED');
    expect(array.body.error.details[0].path).toBe('');
  });

  it('are limited while reading when they come chunked without a length', async () => {
    const chunked = (bytes: number) => {
      const text = new TextEncoder().encode(`{"pad":"${'x'.repeat(bytes - 10)}"}`);
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < text.length; i += 16 * KiB)
            controller.enqueue(text.slice(i, i + 16 * KiB));
          controller.close();
        },
      });
    };
    const within = await presence(chunked(64 * KiB));
    expect(within.status).toBe(400);
    expect(within.body.error.details[0].path).toBe('userIds');
    const above = await presence(chunked(64 * KiB + 1));
    expect(above.status).toBe(413);
    expect(above.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // The connection still serves the next request.
    expect((await presence(JSON.stringify({ userIds: [alice.userId] }))).status).toBe(200);
  });
});
