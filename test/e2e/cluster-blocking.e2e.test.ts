/**
 * Blocking on two server processes sharing MongoDB and Redis (docs/API.md,
 * "Blocking"): Alice, on A, blocks Bob while Bob is connected to B and the two
 * are in a call. The call ends `disconnected` for both at once; Bob, who
 * follows Alice's presence, gets one last `offline`; then Bob's next message
 * looks sent but never reaches Alice, his call gets `call-unavailable
 * offline` and never rings her, and a new presence subscription answers the
 * frozen `offline`. Unblocking on A restores all three at once on B.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { historyWhen, useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser } from '../support/ws-client.js';

const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

describe('a block made on A applies at once to the blocked user on B', () => {
  it('ends the call, freezes presence, swallows messages and calls; unblocking restores them', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceOnA = await cluster.connect(alice, a);
    const bobOnB = await cluster.connect(bob, b);
    bobOnB.send('subscribe-presence', { userIds: [alice.userId] });
    await bobOnB.waitFor(frameOf('presence-update', { userId: alice.userId, status: 'active' }));

    // A call Bob → Alice, accepted.
    bobOnB.send('call-user', { to: alice.userId, callId: 'before-block' });
    await aliceOnA.waitFor(frameOf('call-user', { callId: 'before-block' }));
    aliceOnA.send('call-accepted', { callId: 'before-block' });
    await bobOnB.waitFor(frameOf('call-accepted', { callId: 'before-block' }));

    const blocked = await callJson(a.url, 'PUT', `/api/users/me/blocked/${bob.userId}`, {
      token: alice.token,
    });
    expect(blocked.status).toBe(204);
    for (const socket of [aliceOnA, bobOnB]) {
      const ended = await socket.waitFor(frameOf('call-ended', { callId: 'before-block' }));
      expect(ended.payload.reason).toBe('disconnected');
    }
    const last = await bobOnB.waitFor(
      frameOf('presence-update', { userId: alice.userId, status: 'offline' }),
    );
    expect(last.payload.lastSeen).not.toBeNull();
    const history = await historyWhen(b, bob.token, (calls) =>
      calls.some((c) => c._id === 'before-block' && c.status === 'completed'),
    );
    expect(history.find((c) => c._id === 'before-block')).toMatchObject({
      endReason: 'disconnected',
    });

    // Bob's next message: 201 as usual, nothing reaches Alice.
    const swallowed = await callJson(b.url, 'POST', '/api/chat/send', {
      token: bob.token,
      body: { receiverId: alice.userId, content: 'are you there?' },
    });
    expect(swallowed.status).toBe(201);
    expect(swallowed.body).toMatchObject({ senderId: bob.userId, receiverId: alice.userId });
    // His call: the answer for an offline user; Alice is never rung.
    bobOnB.send('call-user', { to: alice.userId, callId: 'while-blocked' });
    const unavailable = await bobOnB.waitFor(
      frameOf('call-unavailable', { callId: 'while-blocked' }),
    );
    expect(unavailable.payload.reason).toBe('offline');
    // A new subscription answers the frozen presence, though Alice is online.
    const bobAgain = await cluster.connect(bob, b);
    bobAgain.send('subscribe-presence', { userIds: [alice.userId] });
    const frozen = await bobAgain.waitFor(frameOf('presence-update', { userId: alice.userId }));
    expect(frozen.payload).toEqual(last.payload);
    // Alice's presence changes reach neither of Bob's subscriptions.
    aliceOnA.send('update-presence', { status: 'idle' });
    await aliceOnA.roundTrip();
    await aliceOnA.expectNoFrame(frameOf('new-message'), 200);
    await aliceOnA.expectNoFrame(frameOf('call-user', { callId: 'while-blocked' }), 50);
    await bobOnB.expectNoFrame(frameOf('presence-update', { userId: alice.userId }), 50);
    await bobAgain.expectNoFrame(frameOf('presence-update', { userId: alice.userId }), 50);

    // Unblocked on A: Bob's subscriptions on B get Alice's real presence at once.
    const unblocked = await callJson(a.url, 'DELETE', `/api/users/me/blocked/${bob.userId}`, {
      token: alice.token,
    });
    expect(unblocked.status).toBe(204);
    for (const socket of [bobOnB, bobAgain]) {
      await socket.waitFor(frameOf('presence-update', { userId: alice.userId, status: 'idle' }));
    }
    const delivered = await callJson(b.url, 'POST', '/api/chat/send', {
      token: bob.token,
      body: { receiverId: alice.userId, content: 'there you are' },
    });
    expect(delivered.status).toBe(201);
    expect((await aliceOnA.waitFor(frameOf('new-message'))).payload).toEqual(delivered.body);
    bobOnB.send('call-user', { to: alice.userId, callId: 'after-unblock' });
    await aliceOnA.waitFor(frameOf('call-user', { callId: 'after-unblock' }));
    await bobOnB.waitFor(frameOf('call-ringing', { callId: 'after-unblock' }));
  });
});
