/**
 * A database outage under a running server process (issue 3, API.md §1, §9):
 * while FerretDB is stopped, routes that need it answer `503
 * SERVICE_UNAVAILABLE` in the contract's error shape within a few seconds,
 * `/readyz` says `mongo: down`, `/healthz` stays `200` and the process lives
 * on; once FerretDB is back, the same process serves again by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlainBundle } from '../support/libsignal-keys.js';
import { type FerretDbProcess, startFerretDb, uriWithDatabase } from '../support/mongo.js';
import { type ServerProcess, useServerProcesses } from '../support/server-process.js';
import { callJson, type JsonResponse } from '../support/start-test-server.js';

const servers = useServerProcesses();

/** Generous upper bound for one request during the outage (the budget is about 2 s). */
const OUTAGE_ANSWER_MS = 5000;
/** How long the server may take to serve again once the database is back. */
const RECOVERY_MS = 30_000;

let ferret: FerretDbProcess | null = null;
let server: ServerProcess;

beforeAll(async () => {
  ferret = await startFerretDb();
  server = await servers.start({
    env: { MONGODB_URI: uriWithDatabase(ferret.uri, 'outage') },
    name: 'outage server',
  });
}, 120_000);

afterAll(async () => {
  // The server before its database, so that it never outlives it.
  await servers.stopAll();
  await ferret?.dispose();
});

async function timed<T>(request: Promise<JsonResponse<T>>) {
  const started = Date.now();
  const answer = await request;
  return { ...answer, ms: Date.now() - started };
}

describe('MongoDB outage under a running server process', () => {
  it('answers 503 while the database is down and recovers without a restart', async () => {
    const url = server.url;
    const registered = await callJson(url, 'POST', '/api/auth/register', {
      body: { phoneNumber: '+15550300001', displayName: 'Alice', password: 'outage password' },
    });
    expect(registered.status).toBe(201);
    const alice = registered.body as { token: string; userId: string };
    const bob = (
      await callJson(url, 'POST', '/api/auth/register', {
        body: { phoneNumber: '+15550300002', displayName: 'Bob', password: 'outage password' },
      })
    ).body as { token: string; userId: string };
    const first = await callJson(url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'before the outage' },
    });
    expect(first.status).toBe(201);
    const published = await callJson(url, 'POST', '/api/keys/publish', {
      token: bob.token,
      body: createPlainBundle(),
    });
    expect(published.status).toBe(200);
    expect((await callJson(url, 'GET', '/readyz')).body).toEqual({
      mongo: 'up',
      redis: 'disabled',
    });

    // --- the database goes away ---
    await ferret!.stop();
    const downAt = Date.now();

    const requests: ReadonlyArray<readonly [string, () => Promise<JsonResponse>]> = [
      [
        'POST /api/chat/send',
        () =>
          callJson(url, 'POST', '/api/chat/send', {
            token: alice.token,
            body: { receiverId: bob.userId, content: 'during the outage' },
          }),
      ],
      [
        'GET /api/chat/conversations',
        () => callJson(url, 'GET', '/api/chat/conversations', { token: alice.token }),
      ],
      [
        'GET /api/chat/messages/:userId',
        () => callJson(url, 'GET', `/api/chat/messages/${bob.userId}`, { token: alice.token }),
      ],
      [
        'GET /api/users/:userId/profile',
        () => callJson(url, 'GET', `/api/users/${bob.userId}/profile`, { token: alice.token }),
      ],
      [
        'GET /api/keys/:userId/bundle',
        () => callJson(url, 'GET', `/api/keys/${bob.userId}/bundle`, { token: alice.token }),
      ],
      [
        'GET /api/keys/onetime/count',
        () => callJson(url, 'GET', '/api/keys/onetime/count', { token: bob.token }),
      ],
      [
        'POST /api/auth/login',
        () =>
          callJson(url, 'POST', '/api/auth/login', {
            body: { phoneNumber: '+15550300001', password: 'outage password' },
          }),
      ],
    ];

    // One at a time, each timed; then all of them at once.
    const durations: Record<string, number> = {};
    for (const [name, request] of requests) {
      const answer = await timed(request());
      durations[name] = answer.ms;
      expect({ name, status: answer.status, body: answer.body }).toEqual({
        name,
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } },
      });
      expect(answer.ms, name).toBeLessThan(OUTAGE_ANSWER_MS);
    }
    const burstStarted = Date.now();
    const burst = await Promise.all(requests.map(([, request]) => request()));
    const burstMs = Date.now() - burstStarted;
    expect(burst.map((answer) => answer.status)).toEqual(requests.map(() => 503));
    expect(burstMs).toBeLessThan(OUTAGE_ANSWER_MS);

    const ready = await timed(callJson(url, 'GET', '/readyz'));
    expect(ready).toMatchObject({ status: 503, body: { mongo: 'down', redis: 'disabled' } });
    expect(ready.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    const health = await timed(callJson(url, 'GET', '/healthz'));
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(health.ms).toBeLessThan(1000);
    // Tokens are checked without the database: a bad one is still a 401, not a 503.
    const bad = await callJson(url, 'GET', '/api/chat/conversations', { token: 'not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(server.isRunning()).toBe(true);
    console.log(
      `[outage] 503 after (ms): ${JSON.stringify(durations)}; ${requests.length} at once: ${burstMs} ms; /readyz: ${ready.ms} ms`,
    );

    // --- the database comes back ---
    await ferret!.start();
    const upAt = Date.now();
    let recovered: JsonResponse | null = null;
    let polls = 0;
    while (Date.now() - upAt < RECOVERY_MS) {
      polls++;
      const answer = await callJson(url, 'GET', '/api/chat/conversations', { token: alice.token });
      if (answer.status === 200) {
        recovered = answer;
        break;
      }
      expect(answer.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const recoveryMs = Date.now() - upAt;
    console.log(
      `[outage] down for ${upAt - downAt} ms; serving again ${recoveryMs} ms after the database returned (${polls} polls)`,
    );
    expect(recovered, `no 200 within ${RECOVERY_MS} ms of the database's return`).not.toBeNull();
    expect(recovered!.body).toHaveLength(1);
    expect(recovered!.body).toMatchObject([{ lastMessage: first.body }]);

    expect(await callJson(url, 'GET', '/readyz')).toMatchObject({
      status: 200,
      body: { mongo: 'up', redis: 'disabled' },
    });
    const after = await callJson(url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'after the outage' },
    });
    expect(after.status).toBe(201);
    const messages = await callJson(url, 'GET', `/api/chat/messages/${bob.userId}`, {
      token: alice.token,
    });
    expect(messages.body.map((m: { content: string }) => m.content)).toEqual([
      'after the outage',
      'before the outage',
    ]);
    const bundle = await callJson(url, 'GET', `/api/keys/${bob.userId}/bundle`, {
      token: alice.token,
    });
    expect(bundle).toMatchObject({ status: 200, body: { oneTimePreKey: { keyId: 1 } } });
    expect(server.isRunning()).toBe(true);
    expect(server.output()).not.toMatch(/unhandled|uncaught/i);
  }, 120_000);
});
