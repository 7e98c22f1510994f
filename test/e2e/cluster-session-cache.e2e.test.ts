/**
 * The session cache of two instances on MongoDB (FerretDB) and a Redis of
 * this file's own, with SESSION_CACHE_MS at a minute so that only the
 * cache's invalidation, never its age bound, can refuse an ended session: a
 * session B has cached and A ends is refused by B's very next request; while
 * B's subscription to the announcements is cut (Redis stopped), B refuses it
 * anyway, reading every session from the store; once Redis is back, B's next
 * request after an end through A is refused again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { type OwnRedisServer, startRedisServer } from '../support/redis.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { registerUser, type TestUser } from '../support/ws-client.js';

let redis: OwnRedisServer | undefined;
// Registered before the cluster's hooks, so it runs after them: the servers stop first.
afterAll(async () => {
  await redis?.stop();
});
const cluster = useCluster({ redisUrl: () => redis!.url, env: { SESSION_CACHE_MS: '60000' } });

let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

const profile = (server: ServerProcess, user: TestUser) =>
  callJson(server.url, 'GET', `/api/users/${user.userId}/profile`, { token: user.token });

const ready = (server: ServerProcess) => callJson(server.url, 'GET', '/readyz');

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A session used on B (so B cached it), ended through A: B's next request is refused. */
async function endedOnARefusedByB(name: string) {
  const user = await registerUser(a.url, name);
  expect((await profile(b, user)).status).toBe(200);
  expect((await profile(b, user)).status).toBe(200);
  expect((await callJson(a.url, 'POST', '/api/auth/logout', { token: user.token })).status).toBe(
    204,
  );
  const refused = await profile(b, user);
  expect(refused.status).toBe(401);
  expect(refused.body.error.code).toBe('UNAUTHENTICATED');
}

describe('the session cache across instances', () => {
  it('refuses on B, at the next request, a session B had cached and A ended', async () => {
    await endedOnARefusedByB('Cached');
  });

  it('refuses an ended session on B while B cannot hear announcements, and at once again after Redis is back', async () => {
    const user = await registerUser(a.url, 'Unheard');
    expect((await profile(b, user)).status).toBe(200);

    await redis!.stop();
    await eventually(async () => (await ready(b)).status === 503);
    // A cannot announce it either: only B's store read can refuse it.
    expect((await callJson(a.url, 'POST', '/api/auth/logout', { token: user.token })).status).toBe(
      204,
    );
    const refused = await profile(b, user);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');

    await redis!.start();
    for (const server of [a, b]) {
      await eventually(async () => (await ready(server)).status === 200);
    }
    await endedOnARefusedByB('Heard again');
  }, 60_000);
});
