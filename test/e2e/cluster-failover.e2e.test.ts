/**
 * Instances that die (API.md §8): a ring timeout still fires, once, when the
 * caller's instance is killed mid-ring; an instance killed with SIGKILL has
 * its users shown `offline` (once, `lastSeen` stored) and its calls ended
 * `disconnected` by the survivors; a graceful shutdown announces its users'
 * departure at once. Heartbeats are shortened (1 s, TTL 3 s) where the test
 * waits for a death to be noticed; cluster-default-ttl.e2e.test.ts measures
 * the defaults.
 */
import { describe, expect, it } from 'vitest';
import { historyWhen, useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, type TestUser } from '../support/ws-client.js';

const cluster = useCluster();
const FAST = { REDIS_HEARTBEAT: '1', REDIS_INSTANCE_TTL: '3' };

let sequence = 0;
async function user(name: string, on: ServerProcess): Promise<TestUser> {
  sequence += 1;
  return registerUser(on.url, `${name} ${sequence}`);
}

describe('a ring timeout when the caller’s instance dies', () => {
  it('fires exactly once in the cluster, on the survivors', { timeout: 60_000 }, async () => {
    // Default heartbeats: the death is not noticed before the 2 s ring timeout.
    const ring = { CALL_RING_TIMEOUT: '2' };
    const [a, b, c] = await Promise.all([
      cluster.start('ring A', ring),
      cluster.start('ring B', ring),
      cluster.start('ring C', ring),
    ]);
    const caller = await user('Caller', a);
    const callee = await user('Callee', b);
    const onA = await cluster.connect(caller, a);
    const [onB, onC] = [await cluster.connect(callee, b), await cluster.connect(callee, c)];
    onA.send('call-user', { to: callee.userId, callId: 'orphan-ring' });
    await onA.waitFor(frameOf('call-ringing', { callId: 'orphan-ring' }));
    for (const socket of [onB, onC]) {
      await socket.waitFor(frameOf('call-user', { callId: 'orphan-ring' }));
    }
    a.kill('SIGKILL');
    await a.exited;

    // The 2 s ring, plus the call's cluster lock when A died holding it: A
    // releases it only after sending call-ringing, so a kill right after that
    // frame can leave it to expire (10 s, adapters/redis/locked-queue.ts).
    for (const socket of [onB, onC]) {
      expect(
        (await socket.waitFor(frameOf('call-ended', { callId: 'orphan-ring' }), 15_000)).payload,
      ).toEqual({ callId: 'orphan-ring', reason: 'timeout' });
    }
    for (const socket of [onB, onC]) {
      await socket.expectNoFrame(frameOf('call-ended', { callId: 'orphan-ring' }), 1500);
    }
    const history = await historyWhen(c, callee.token, (calls) => calls[0]?.status === 'missed');
    expect(history[0]).toMatchObject({
      _id: 'orphan-ring',
      status: 'missed',
      endReason: 'timeout',
    });
  });
});

describe('an instance killed without a word', () => {
  it('has its users shown offline once and its calls ended disconnected', async () => {
    const [a, b] = await Promise.all([
      cluster.start('doomed A', FAST),
      cluster.start('survivor B', FAST),
    ]);
    const p = await user('P', a);
    const q = await user('Q', b);
    const r = await user('R', a);
    const s = await user('S', b);
    await callJson(b.url, 'POST', '/api/chat/send', {
      token: q.token,
      body: { receiverId: p.userId, content: 'partners' },
    });
    const qOnB = await cluster.connect(q, b);
    const pOnA = await cluster.connect(p, a);
    const rOnA = await cluster.connect(r, a);
    const sOnB = await cluster.connect(s, b);
    await qOnB.waitFor(frameOf('presence-update', { userId: p.userId, status: 'active' }));

    // P (on A) calls Q (on B), who answers; S (on B) rings R, whose only device is on A.
    pOnA.send('call-user', { to: q.userId, callId: 'held-by-a' });
    await qOnB.waitFor(frameOf('call-user', { callId: 'held-by-a' }));
    qOnB.send('call-accepted', { callId: 'held-by-a' });
    await pOnA.waitFor(frameOf('call-accepted', { callId: 'held-by-a' }));
    sOnB.send('call-user', { to: r.userId, callId: 'ringing-on-a' });
    await rOnA.waitFor(frameOf('call-user', { callId: 'ringing-on-a' }));

    const killedAt = Date.now();
    a.kill('SIGKILL');
    const offline = await qOnB.waitFor(
      frameOf('presence-update', { userId: p.userId, status: 'offline' }),
      60_000,
    );
    const tookMs = Date.now() - killedAt;
    console.log(
      `[cluster] kill -9 → offline seen on a peer after ${tookMs} ms (REDIS_HEARTBEAT=1, REDIS_INSTANCE_TTL=3)`,
    );
    expect(tookMs).toBeLessThan(60_000);
    expect(offline.payload.lastSeen).toMatch(/Z$/);
    expect(
      (await qOnB.waitFor(frameOf('call-ended', { callId: 'held-by-a' }), 5000)).payload,
    ).toEqual({ callId: 'held-by-a', reason: 'disconnected' });
    expect(
      (await sOnB.waitFor(frameOf('call-ended', { callId: 'ringing-on-a' }), 5000)).payload,
    ).toEqual({ callId: 'ringing-on-a', reason: 'disconnected' });
    await qOnB.expectNoFrame(frameOf('presence-update', { userId: p.userId }), 1500);

    const pulled = await callJson(b.url, 'POST', '/api/users/presence', {
      token: q.token,
      body: { userIds: [p.userId, r.userId] },
    });
    expect(pulled.body[p.userId]).toEqual({
      status: 'offline',
      lastSeen: offline.payload.lastSeen,
    });
    expect(pulled.body[r.userId].status).toBe('offline');
    const history = await historyWhen(b, q.token, (calls) => calls[0]?.status === 'completed');
    expect(history[0]).toMatchObject({
      _id: 'held-by-a',
      status: 'completed',
      endReason: 'disconnected',
    });
    const ringing = await historyWhen(b, s.token, (calls) => calls[0]?.status === 'missed');
    expect(ringing[0]).toMatchObject({
      _id: 'ringing-on-a',
      status: 'missed',
      endReason: 'disconnected',
    });
    // The survivor takes new calls from Q at once: nobody is left busy.
    const p2 = await cluster.connect(p, b);
    qOnB.send('call-user', { to: p.userId, callId: 'after-death' });
    await p2.waitFor(frameOf('call-user', { callId: 'after-death' }));
  }, 90_000);
});

describe('a graceful shutdown', () => {
  it('announces its users’ departure at once, without waiting for a TTL', async () => {
    // A long TTL on the leaving instance: only its own announcement can be this fast.
    const [leaving, staying] = await Promise.all([
      cluster.start('leaving', { REDIS_INSTANCE_TTL: '50', REDIS_HEARTBEAT: '10' }),
      cluster.start('staying', FAST),
    ]);
    const u = await user('U', leaving);
    const v = await user('V', staying);
    await callJson(staying.url, 'POST', '/api/chat/send', {
      token: v.token,
      body: { receiverId: u.userId, content: 'hello' },
    });
    const vOnStaying = await cluster.connect(v, staying);
    await cluster.connect(u, leaving);
    await vOnStaying.waitFor(frameOf('presence-update', { userId: u.userId, status: 'active' }));
    const stoppedAt = Date.now();
    const exit = await leaving.stop();
    expect(exit.code).toBe(0);
    await vOnStaying.waitFor(
      frameOf('presence-update', { userId: u.userId, status: 'offline' }),
      3000,
    );
    console.log(`[cluster] SIGTERM → offline seen on a peer after ${Date.now() - stoppedAt} ms`);
    await vOnStaying.expectNoFrame(frameOf('presence-update', { userId: u.userId }), 1500);
  });
});
