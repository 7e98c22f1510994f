/**
 * Three server processes sharing MongoDB and Redis behave like one (API.md
 * §8): message pushes, a full call, busy, the accept race, glare and
 * presence, and the ring timeout (the caller's instance's own timer, which
 * a callee's accept on another instance drops: scheduler.ts), with the
 * parties on different instances. Also measures what a
 * cross-instance relay costs compared with a same-instance one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { historyWhen, useCluster } from '../support/cluster.js';
import { testRedisUrl } from '../support/redis.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, type TestUser, type WsClient } from '../support/ws-client.js';

const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;
let c: ServerProcess;

beforeAll(async () => {
  [a, b, c] = await Promise.all([cluster.start('A'), cluster.start('B'), cluster.start('C')]);
});

let sequence = 0;
async function user(name: string, on: ServerProcess = a): Promise<TestUser> {
  sequence += 1;
  return registerUser(on.url, `${name} ${sequence}`);
}

/** Caller on `from`, callee rung on each of `to`; resolves once everyone was told. */
async function ring(
  callerSocket: WsClient,
  callee: TestUser,
  calleeSockets: WsClient[],
  callId: string,
) {
  callerSocket.send('call-user', { to: callee.userId, callId });
  await callerSocket.waitFor(frameOf('call-ringing', { callId }));
  for (const socket of calleeSockets) await socket.waitFor(frameOf('call-user', { callId }));
}

describe('pushes across instances', () => {
  it('delivers a message sent on one instance to the receiver’s connections on the others', async () => {
    const alice = await user('Alice', a);
    const bob = await user('Bob', b);
    const [bobOnB, bobOnC, aliceOnC] = [
      await cluster.connect(bob, b),
      await cluster.connect(bob, c),
      await cluster.connect(alice, c),
    ];
    const sent = await callJson(a.url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'across', clientMessageId: 'x-1' },
    });
    expect(sent.status).toBe(201);
    for (const socket of [bobOnB, bobOnC, aliceOnC]) {
      expect((await socket.waitFor(frameOf('new-message'))).payload).toEqual(sent.body);
    }
    for (const socket of [bobOnB, bobOnC, aliceOnC]) {
      await socket.expectNoFrame(frameOf('new-message'), 150);
    }
  });

  it('pushes presence to partners and subscribers on other instances, once each', async () => {
    const alice = await user('Alice', a);
    const bob = await user('Bob', b);
    const carol = await user('Carol', c);
    await callJson(a.url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'hi' },
    });
    const bobOnB = await cluster.connect(bob, b);
    const carolOnC = await cluster.connect(carol, c);
    carolOnC.send('subscribe-presence', { userIds: [alice.userId] });
    await carolOnC.waitFor(frameOf('presence-update', { userId: alice.userId, status: 'offline' }));

    const aliceOnA = await cluster.connect(alice, a);
    for (const socket of [bobOnB, carolOnC]) {
      await socket.waitFor(frameOf('presence-update', { userId: alice.userId, status: 'active' }));
    }
    const aliceOnC = await cluster.connect(alice, c);
    await aliceOnC.roundTrip(); // its connectionOpened ran
    aliceOnA.send('update-presence', { status: 'idle' });
    await aliceOnA.roundTrip();
    await bobOnB.expectNoFrame(frameOf('presence-update', { userId: alice.userId }), 200);
    await aliceOnC.close();
    await aliceOnA.close();
    for (const socket of [bobOnB, carolOnC]) {
      const offline = await socket.waitFor(
        frameOf('presence-update', { userId: alice.userId, status: 'offline' }),
      );
      expect(offline.payload.lastSeen).not.toBeNull();
      await socket.expectNoFrame(
        frameOf('presence-update', { userId: alice.userId, status: 'offline' }),
        200,
      );
      // Each change once: `idle` shows only when the active connection's close was handled first.
      const told = socket.frames
        .filter((f) => f.type === 'presence-update' && f.payload.userId === alice.userId)
        .map((f) => f.payload.status);
      const sinceActive = told.slice(told.lastIndexOf('active'));
      expect([
        ['active', 'offline'],
        ['active', 'idle', 'offline'],
      ]).toContainEqual(sinceActive);
    }
  });
});

describe('calls across instances', () => {
  it('runs a full call: ring on two devices elsewhere, accept, relay in order, hang up', async () => {
    const ann = await user('Ann', a);
    const ben = await user('Ben', a);
    const caller = await cluster.connect(ann, a);
    const [onB, onC] = [await cluster.connect(ben, b), await cluster.connect(ben, c)];
    const callId = 'full-call';
    await ring(caller, ben, [onB, onC], callId);

    onB.send('call-accepted', { callId, note: 'hi' });
    expect((await caller.waitFor(frameOf('call-accepted', { callId }))).payload).toEqual({
      callId,
      from: ben.userId,
      note: 'hi',
    });
    await onC.waitFor(frameOf('call-ended', { callId, reason: 'answered-elsewhere' }));

    // An offer and the candidates right behind it keep their order across instances.
    caller.send('offer', { callId, sdp: 'offer-sdp' });
    for (let i = 0; i < 20; i++) caller.send('ice-candidate', { callId, candidate: `c${i}` });
    const relayed = [await onB.waitFor(frameOf('offer', { callId }))];
    for (let i = 0; i < 20; i++)
      relayed.push(await onB.waitFor(frameOf('ice-candidate', { callId })));
    expect(relayed.map((f) => f.payload.sdp ?? f.payload.candidate)).toEqual([
      'offer-sdp',
      ...Array.from({ length: 20 }, (_, i) => `c${i}`),
    ]);
    const arrivals = onB.frames.filter((f) => f.type === 'offer' || f.type === 'ice-candidate');
    expect(arrivals[0]?.type).toBe('offer');
    onB.send('answer', { callId, sdp: 'answer-sdp' });
    expect((await caller.waitFor(frameOf('answer', { callId }))).payload).toEqual({
      callId,
      from: ben.userId,
      sdp: 'answer-sdp',
    });
    await onC.expectNoFrame(frameOf('offer'), 100);

    onB.send('call-ended', { callId });
    await caller.waitFor(frameOf('call-ended', { callId, from: ben.userId, reason: 'hangup' }));
    const history = await historyWhen(c, ann.token, (calls) => calls[0]?.status === 'completed');
    expect(history[0]).toMatchObject({
      _id: callId,
      status: 'completed',
      endReason: 'hangup',
    });
  });

  it('answers busy when the callee is in a call held on other instances', async () => {
    const [x, y, z] = [await user('X', a), await user('Y', b), await user('Z', c)];
    const onA = await cluster.connect(x, a);
    const onB = await cluster.connect(y, b);
    const onC = await cluster.connect(z, c);
    await ring(onA, y, [onB], 'busy-1');
    onB.send('call-accepted', { callId: 'busy-1' });
    await onA.waitFor(frameOf('call-accepted', { callId: 'busy-1' }));

    onC.send('call-user', { to: y.userId, callId: 'busy-2' });
    expect((await onC.waitFor(frameOf('call-rejected', { callId: 'busy-2' }))).payload).toEqual({
      callId: 'busy-2',
      from: y.userId,
      reason: 'busy',
    });
    await onB.expectNoFrame(frameOf('call-user', { callId: 'busy-2' }), 150);
    // And the caller of a live call may not start another, wherever it asks.
    onA.send('call-user', { to: z.userId, callId: 'busy-3' });
    await onA.waitFor(frameOf('error', { code: 'ALREADY_IN_CALL' }));
  });

  it('lets exactly one of two devices on different instances win a simultaneous accept', async () => {
    for (let round = 0; round < 4; round++) {
      const caller = await user('Caller', a);
      const callee = await user('Callee', a);
      const onA = await cluster.connect(caller, a);
      const [onB, onC] = [await cluster.connect(callee, b), await cluster.connect(callee, c)];
      const callId = `race-${round}`;
      await ring(onA, callee, [onB, onC], callId);
      onB.send('call-accepted', { callId });
      onC.send('call-accepted', { callId });
      await onA.waitFor(frameOf('call-accepted', { callId }));
      await onA.expectNoFrame(frameOf('call-accepted', { callId }), 300);
      const refused = await Promise.all(
        [onB, onC].map((socket) =>
          socket
            .waitFor(frameOf('error', { code: 'NOT_IN_CALL' }), 500)
            .then(() => 1)
            .catch(() => 0),
        ),
      );
      expect(refused.reduce((x: number, y) => x + y, 0)).toBe(1);
    }
  });

  it('ends an unanswered call once at its ring timeout, and an answered one not at all', async () => {
    const ringSec = 2;
    const quick = await cluster.start('D', { CALL_RING_TIMEOUT: String(ringSec) });
    const [caller, callee] = [await user('Caller', quick), await user('Callee', b)];
    const onD = await cluster.connect(caller, quick);
    const onB = await cluster.connect(callee, b);
    const started = Date.now();
    await ring(onD, callee, [onB], 'unanswered');
    const timeout = { callId: 'unanswered', reason: 'timeout' };
    expect((await onD.waitFor(frameOf('call-ended'), 5_000)).payload).toEqual(timeout);
    const elapsed = Date.now() - started;
    expect((await onB.waitFor(frameOf('call-ended'), 1_000)).payload).toEqual(timeout);
    // The caller's instance's timer, not the sweep of overdue calls (up to a second later).
    expect(elapsed).toBeGreaterThanOrEqual(ringSec * 1000 - 50);
    expect(elapsed).toBeLessThan(ringSec * 1000 + 500);

    // Accepted on B: the timer on D comes due after the accept and ends nothing.
    await ring(onD, callee, [onB], 'answered');
    onB.send('call-accepted', { callId: 'answered' });
    await onD.waitFor(frameOf('call-accepted', { callId: 'answered' }));
    await sleep(ringSec * 1000 + 500);
    onB.send('call-ended', { callId: 'answered' });
    await onD.waitFor(frameOf('call-ended', { callId: 'answered', reason: 'hangup' }));
    for (const socket of [onD, onB]) {
      expect(socket.frames.filter(frameOf('call-ended', { reason: 'timeout' }))).toHaveLength(1);
    }
  });

  it('resolves glare across instances for the lower callId, on both sides', async () => {
    const p = await user('P', a);
    const q = await user('Q', b);
    const onA = await cluster.connect(p, a);
    const onB = await cluster.connect(q, b);
    onA.send('call-user', { to: q.userId, callId: 'glare-b' });
    onB.send('call-user', { to: p.userId, callId: 'glare-a' });
    // The survivor rings; the other call ends with glare for whoever had heard of it.
    await onB.waitFor(frameOf('call-ringing', { callId: 'glare-a' }));
    await onA.waitFor(frameOf('call-user', { callId: 'glare-a' }));
    await onA.waitFor(frameOf('call-ended', { callId: 'glare-b', reason: 'glare' }));
    onA.send('call-accepted', { callId: 'glare-a' });
    await onB.waitFor(frameOf('call-accepted', { callId: 'glare-a' }));
    const history = await historyWhen(c, p.token, (calls) =>
      calls.some((call) => call._id === 'glare-a' && call.status === 'ongoing'),
    );
    const statuses = Object.fromEntries(history.map((call) => [call._id, call.status]));
    expect(statuses).toEqual({ 'glare-a': 'ongoing', 'glare-b': 'glare' });
  });
});

describe('what a cross-instance relay costs', () => {
  /** p50 of `rounds` ice-candidate round trips caller → callee → caller. */
  async function relayP50(caller: WsClient, callee: WsClient, callId: string, rounds = 200) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      caller.send('ice-candidate', { callId, candidate: `ping-${i}` });
      await callee.waitFor(frameOf('ice-candidate', { callId, candidate: `ping-${i}` }));
      callee.send('ice-candidate', { callId, candidate: `pong-${i}` });
      await caller.waitFor(frameOf('ice-candidate', { callId, candidate: `pong-${i}` }));
      times.push(performance.now() - started);
    }
    return percentile(times, 0.5);
  }

  async function acceptedCall(callerOn: ServerProcess, calleeOn: ServerProcess, callId: string) {
    const caller = await user('Measure caller', callerOn);
    const callee = await user('Measure callee', calleeOn);
    const onCaller = await cluster.connect(caller, callerOn);
    const onCallee = await cluster.connect(callee, calleeOn);
    await ring(onCaller, callee, [onCallee], callId);
    onCallee.send('call-accepted', { callId });
    await onCaller.waitFor(frameOf('call-accepted', { callId }));
    return { onCaller, onCallee };
  }

  it('measures p50 round trips (200 each) and Redis PING', async () => {
    const same = await acceptedCall(a, a, 'measure-same');
    const cross = await acceptedCall(a, b, 'measure-cross');
    // Warm up both paths, then measure them interleaved in halves.
    await relayP50(same.onCaller, same.onCallee, 'measure-same', 20);
    await relayP50(cross.onCaller, cross.onCallee, 'measure-cross', 20);
    const sameP50 = await relayP50(same.onCaller, same.onCallee, 'measure-same');
    const crossP50 = await relayP50(cross.onCaller, cross.onCallee, 'measure-cross');
    const redis = new Redis(testRedisUrl());
    const pings: number[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        await redis.ping();
        pings.push(performance.now() - started);
      }
    } finally {
      redis.disconnect();
    }
    const pingP50 = percentile(pings, 0.5);
    console.log(
      `[cluster] relay round trip p50: same instance ${sameP50.toFixed(2)} ms, ` +
        `across instances ${crossP50.toFixed(2)} ms (+${(crossP50 - sameP50).toFixed(2)} ms, ` +
        `two relays); Redis PING p50 ${pingP50.toFixed(3)} ms`,
    );
    expect(crossP50).toBeLessThan(sameP50 + 50);
  }, 60_000);
});

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
