/**
 * Connecting to the WebSocket (API.md §7): token checks before the upgrade,
 * the `ready` frame, both paths, upgrades reported like requests, and a clean
 * 1001 when the server stops.
 */
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../apps/server/logger.js';
import { callJson, startTestServer, TEST_JWT_SECRET } from '../support/start-test-server.js';
import {
  connectWs,
  refusedUpgrade,
  registerUser,
  type TestUser,
  useWsTestServer,
  wsUrl,
} from '../support/ws-client.js';

const logLines: string[] = [];
const capturingLogger: Logger = {
  info: (message) => logLines.push(message),
  request: () => {},
  warn: (message) => logLines.push(message),
  error: (message, error) => logLines.push(`${message} ${String(error ?? '')}`),
};

const { server, connect } = useWsTestServer({}, { logger: capturingLogger });
let alice: TestUser;

async function signedToken(claims: { sub: string; iat: number; exp: number }, secret: string) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  alice = await registerUser(server.url, 'Alice');
});

describe('refusing an upgrade before it happens', () => {
  const unauthenticated = {
    status: 401,
    body: { error: { code: 'UNAUTHENTICATED', message: expect.any(String) } },
  };

  it('answers 401 with the JSON error shape when the token is missing or empty', async () => {
    const missing = await refusedUpgrade(wsUrl(server.url, '/'));
    expect(missing).toMatchObject(unauthenticated);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.headers['content-type']).toBe('application/json');
    expect(await refusedUpgrade(wsUrl(server.url, '/ws', ''))).toMatchObject(unauthenticated);
  });

  it('answers 401 for a malformed, a badly signed and an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const badlySigned = await signedToken(
      { sub: alice.userId, iat: now, exp: now + 3600 },
      'another-secret-that-is-long-enough-for-hs256',
    );
    const expired = await signedToken(
      { sub: alice.userId, iat: now - 200, exp: now - 100 },
      TEST_JWT_SECRET,
    );
    for (const token of ['garbage', `${alice.token}x`, badlySigned, expired]) {
      expect(await refusedUpgrade(wsUrl(server.url, '/', token))).toMatchObject(unauthenticated);
    }
    const answer = await refusedUpgrade(wsUrl(server.url, '/ws', expired));
    expect(answer.body.error.message).toMatch(/expired/);
  });

  it('answers 404 for an upgrade on another path, and for a plain GET /ws', async () => {
    expect((await refusedUpgrade(wsUrl(server.url, '/nope', alice.token))).status).toBe(404);
    // A plain GET / is the web app's page (adapters/http/routes/web.ts).
    const plain = await callJson(server.url, 'GET', `/ws?token=${alice.token}`);
    expect(plain).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});

describe('an admitted connection', () => {
  it('gets ready { userId, connectionId, sessionId, seq } first, on / and on /ws', async () => {
    const root = await connect(alice);
    const ws = await connect(alice, { path: '/ws' });
    for (const client of [root, ws]) {
      expect(client.frames[0]).toEqual({
        type: 'ready',
        payload: {
          userId: alice.userId,
          connectionId: client.connectionId,
          sessionId: alice.sessionId,
          seq: 0,
        },
      });
    }
    // Random and unguessable: 122 random bits, never repeated.
    expect(root.connectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ws.connectionId).not.toBe(root.connectionId);
  });

  it('never writes a token to the logs', async () => {
    await refusedUpgrade(wsUrl(server.url, '/', 'some-bad-token-value'));
    const client = await connect(alice);
    client.send('call-user', { to: alice.userId });
    await client.waitFor((frame) => frame.type === 'error');
    const logs = logLines.join('\n');
    expect(logs).not.toContain(alice.token);
    expect(logs).not.toContain('some-bad-token-value');
  });
});

describe('stopping the server', () => {
  it('closes every socket with 1001 and finishes', async () => {
    const own = await startTestServer();
    const bob = await registerUser(own.url, 'Bob');
    const first = await connectWs(own.url, bob.token);
    const second = await connectWs(own.url, bob.token, { path: '/ws' });
    await own.close();
    expect((await first.waitForClose()).code).toBe(1001);
    expect((await second.waitForClose()).code).toBe(1001);
  });
});

describe('reporting upgrades', () => {
  it('logs every upgrade it answers like a request: 101 when admitted, a refusal with its request id', async () => {
    const records: Record<string, unknown>[] = [];
    const recordingLogger: Logger = {
      info: () => {},
      request: (fields) => records.push({ ...fields }),
      warn: () => {},
      error: () => {},
    };
    const own = await startTestServer({}, { logger: recordingLogger });
    try {
      const carol = await registerUser(own.url, 'Carol');
      records.length = 0;
      const client = await connectWs(own.url, carol.token, { path: '/ws' });
      const refused = await refusedUpgrade(wsUrl(own.url, '/', 'not-a-token'));
      expect((await refusedUpgrade(wsUrl(own.url, '/elsewhere', carol.token))).status).toBe(404);
      await client.close();

      const record = (route: string, status: number) => ({
        requestId: expect.any(String),
        method: 'GET',
        route,
        status,
        durationMs: expect.any(Number),
      });
      expect(records).toEqual([
        record('/ws', 101),
        { ...record('/', 401), requestId: refused.headers['x-request-id'] },
        record('(unmatched)', 404),
      ]);
    } finally {
      await own.close();
    }
  });
});
