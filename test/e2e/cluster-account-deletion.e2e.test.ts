/**
 * Account deletion on two server processes sharing MongoDB (FerretDB here)
 * and a Redis of this file's own. A deletion on A is frozen in its middle —
 * Redis paused for writes (CLIENT PAUSE … WRITE) holds the announcement of
 * the ended sessions, after the account record is gone and before keys,
 * blocks and sessions are — and A is killed with SIGKILL right there. While
 * A is down nothing logs in to the account or fetches it (from B); restarted,
 * A's start-up sweep finishes the job: sessions ended (the account's socket
 * on B closes 4401), keys and blocks gone, the pending record dropped. The
 * other party keeps the conversation with a "Deleted account" peer, and the
 * phone number registers again as a new account.
 */
import { Redis } from 'ioredis';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { createPlainBundle } from '../support/libsignal-keys.js';
import { type OwnRedisServer, startRedisServer } from '../support/redis.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { registerUser, type TestUser } from '../support/ws-client.js';

let redis: OwnRedisServer | undefined;
// Registered before the cluster's hooks, so it runs after them: the servers stop first.
afterAll(async () => {
  await redis?.stop();
});
const cluster = useCluster({ redisUrl: () => redis!.url });

let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

const PASSWORD = 'correct horse battery';
const phoneNumber = `+1404${String(process.pid % 1000).padStart(3, '0')}0001`;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('account deletion cut short by kill -9, finished by a restart', () => {
  it('leaves nothing that logs in or is fetched, and the restart finishes the clean-up', async () => {
    const registered = await callJson(a.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Alice', username: 'alice_gone', password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    const alice: TestUser = {
      userId: registered.body.userId,
      token: registered.body.token,
      sessionId: registered.body.sessionId,
      displayName: 'Alice',
    };
    const [bob, carol] = await Promise.all([
      registerUser(b.url, 'Bob'),
      registerUser(b.url, 'Carol'),
    ]);
    const published = await callJson(a.url, 'POST', '/api/keys/publish', {
      token: alice.token,
      body: createPlainBundle(),
    });
    expect(published.status).toBe(200);
    const blocked = await callJson(a.url, 'PUT', `/api/users/me/blocked/${carol.userId}`, {
      token: alice.token,
    });
    expect(blocked.status).toBe(204);
    const sent = await callJson(b.url, 'POST', '/api/chat/send', {
      token: bob.token,
      body: { receiverId: alice.userId, content: 'hello Alice' },
    });
    expect(sent.status).toBe(201);
    const aliceOnB = await cluster.connect(alice, b);

    const { db } = cluster.database;
    const aliceId = new ObjectId(alice.userId);
    const admin = new Redis(redis!.url, { lazyConnect: true });
    await admin.connect();
    try {
      // Every write to Redis waits from here: the deletion stops at its announcement.
      await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      const deletion = callJson(a.url, 'DELETE', '/api/users/me', {
        token: alice.token,
        body: { password: PASSWORD },
      }).catch(() => null);
      await until('the account record to be removed', async () => {
        return (await db.collection('users').countDocuments({ _id: aliceId })) === 0;
      });
      a.kill('SIGKILL');
      await a.exited;
      await deletion;
      await admin.call('CLIENT', 'UNPAUSE');

      // Killed in the middle: the record is gone, the rest not yet.
      expect(await db.collection('user_deletions').countDocuments({ _id: aliceId })).toBe(1);
      expect(await db.collection('key_bundles').countDocuments({ _id: aliceId })).toBe(1);
      expect(
        await db.collection('sessions').countDocuments({ userId: alice.userId }),
      ).toBeGreaterThan(0);

      // Nothing logs in or is fetched meanwhile.
      expect((await callJson(b.url, 'GET', '/api/users/me', { token: alice.token })).status).toBe(
        401,
      );
      const login = await callJson(b.url, 'POST', '/api/auth/login', {
        body: { phoneNumber, password: PASSWORD },
      });
      expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
      for (const path of [
        `/api/users/${alice.userId}/profile`,
        '/api/users/by-username/alice_gone',
      ]) {
        const gone = await callJson(b.url, 'GET', path, { token: bob.token });
        expect(gone.status).toBe(404);
        expect(gone.body.error.code).toBe('USER_NOT_FOUND');
      }
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      admin.disconnect();
    }

    // The restart's sweep finishes the deletion.
    const restarted = await cluster.start('A again');
    expect((await aliceOnB.waitForClose(5000)).code).toBe(4401);
    await until('the pending record to be dropped', async () => {
      return (await db.collection('user_deletions').countDocuments({ _id: aliceId })) === 0;
    });
    expect(await db.collection('key_bundles').countDocuments({ _id: aliceId })).toBe(0);
    expect(await db.collection('one_time_keys').countDocuments({ userId: aliceId })).toBe(0);
    expect(await db.collection('blocks').countDocuments({ blockerId: alice.userId })).toBe(0);
    expect(await db.collection('sessions').countDocuments({ userId: alice.userId })).toBe(0);
    const bundle = await callJson(restarted.url, 'GET', `/api/keys/${alice.userId}/bundle`, {
      token: bob.token,
    });
    expect(bundle.status).toBe(404);

    // Bob keeps the conversation; the number and the username register again, as someone new.
    const list = await callJson(restarted.url, 'GET', '/api/chat/conversations', {
      token: bob.token,
    });
    expect(list.body.map((c: { peer: unknown }) => c.peer)).toEqual([
      { _id: alice.userId, username: null, displayName: 'Deleted account', deleted: true },
    ]);
    const again = await callJson(b.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'New Alice', username: 'Alice_Gone', password: PASSWORD },
    });
    expect(again.status).toBe(201);
    expect(again.body.userId).not.toBe(alice.userId);
  });
});
