/**
 * Redis goes away under two running instances (API.md §8, §9), on a
 * `redis-server` of this file's own: HTTP keeps answering, local delivery
 * goes on, `/readyz` says `redis: down` with 503, nothing crashes; when Redis
 * returns (empty: no persistence), each instance resubscribes and writes its
 * connections back, and cross-instance delivery, presence and calls work
 * again without restarting a server. Also after Redis drops the instances'
 * pub/sub clients (what it does when their output buffer overflows).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { type OwnRedisServer, startRedisServer } from '../support/redis.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, type TestUser, type WsClient } from '../support/ws-client.js';

let redis: OwnRedisServer | undefined;
// Registered before the cluster's hooks, so it runs after them: the servers stop first.
afterAll(async () => {
  await redis?.stop();
});
const cluster = useCluster({ redisUrl: () => redis!.url });

let a: ServerProcess;
let b: ServerProcess;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let bobOnB: WsClient;
let carolOnA: WsClient;

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
  [alice, bob, carol] = await Promise.all([
    registerUser(a.url, 'Alice'),
    registerUser(b.url, 'Bob'),
    registerUser(a.url, 'Carol'),
  ]);
  bobOnB = await cluster.connect(bob, b);
  carolOnA = await cluster.connect(carol, a);
  await cluster.connect(alice, a);
});

async function send(from: TestUser, to: TestUser, content: string) {
  return callJson(a.url, 'POST', '/api/chat/send', {
    token: from.token,
    body: { receiverId: to.userId, content },
  });
}

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Sends from Alice (on A) until Bob (on B) gets one: pushes made before B resubscribed are lost. */
async function crossDeliveryResumes(tag: string) {
  let n = 0;
  await eventually(async () => {
    n += 1;
    const sent = await send(alice, bob, `${tag} ${n}`);
    expect(sent.status).toBe(201);
    return bobOnB
      .waitFor(frameOf('new-message', { content: `${tag} ${n}` }), 300)
      .then(() => true)
      .catch(() => false);
  });
}

const ready = (server: ServerProcess) => callJson(server.url, 'GET', '/readyz');

describe('Redis outage', () => {
  it('keeps HTTP and local delivery up, reports redis down, and recovers on its own', async () => {
    const first = await send(alice, bob, 'before');
    expect((await bobOnB.waitFor(frameOf('new-message'))).payload).toEqual(first.body);
    expect((await ready(a)).body).toEqual({ mongo: 'up', redis: 'up' });

    await redis!.stop();
    for (const server of [a, b]) {
      await eventually(async () => (await ready(server)).status === 503);
      expect((await ready(server)).body).toEqual({ mongo: 'up', redis: 'down' });
      expect((await callJson(server.url, 'GET', '/healthz')).status).toBe(200);
    }
    // HTTP that needs only MongoDB answers; a push between two users of A arrives.
    const local = await send(alice, carol, 'during the outage');
    expect(local.status).toBe(201);
    expect((await carolOnA.waitFor(frameOf('new-message'))).payload).toEqual(local.body);
    const profile = await callJson(b.url, 'GET', `/api/users/${alice.userId}/profile`, {
      token: bob.token,
    });
    expect(profile.status).toBe(200);
    // What needs Redis says so, quickly.
    const started = Date.now();
    const presence = await callJson(a.url, 'POST', '/api/users/presence', {
      token: alice.token,
      body: { userIds: [bob.userId] },
    });
    expect(presence.status).toBe(503);
    expect(presence.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
    // The outage lasts: reconnection attempts fail for two more seconds, and nothing gives way.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      expect((await ready(a)).body.redis).toBe('down');
      await sleep(200);
    }
    expect(a.isRunning() && b.isRunning()).toBe(true);

    await redis!.start();
    for (const server of [a, b]) {
      await eventually(async () => (await ready(server)).status === 200);
    }
    await crossDeliveryResumes('after restart');
    // Redis came back empty: each instance wrote its connections back.
    await eventually(async () => {
      const pulled = await callJson(a.url, 'POST', '/api/users/presence', {
        token: alice.token,
        body: { userIds: [bob.userId, carol.userId] },
      });
      return (
        pulled.body[bob.userId]?.status === 'active' &&
        pulled.body[carol.userId]?.status === 'active'
      );
    });
    carolOnA.send('call-user', { to: bob.userId, callId: 'after-outage' });
    await bobOnB.waitFor(frameOf('call-user', { callId: 'after-outage' }));
    await carolOnA.waitFor(frameOf('call-ringing', { callId: 'after-outage' }));
    carolOnA.send('call-ended', { callId: 'after-outage' });
    await bobOnB.waitFor(frameOf('call-ended', { callId: 'after-outage' }));

    expect(a.isRunning() && b.isRunning()).toBe(true);
    for (const server of [a, b]) {
      expect(server.output()).not.toMatch(/Unhandled error event|uncaught/i);
    }
  }, 60_000);

  it('resumes delivery after Redis drops the instances’ pub/sub clients', async () => {
    const admin = new Redis(redis!.url);
    try {
      const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      expect(killed).toBe(2);
    } finally {
      admin.disconnect();
    }
    await crossDeliveryResumes('after kill');
    expect(a.isRunning() && b.isRunning()).toBe(true);
  }, 30_000);
});
