/**
 * Typing indicators across two server processes sharing MongoDB and Redis
 * (docs/API.md "Typing"): `typing` from a user on A reaches the conversation
 * partner on B, unlogged; an `active` not refreshed is ended by the server
 * after the timeout; nothing reaches a user who shares no conversation with
 * the typist; and `typingIndicators` off, set on the other instance,
 * silences typing both ways. A typist whose frames go through both
 * instances (two devices, or one that reconnected elsewhere) is ended once,
 * after the last refresh or at the `active: false`, wherever each went. An
 * instance that shuts down ends the typing it took at once, unless a refresh
 * went through another instance since.
 *
 * "Nothing arrived" is proven, not waited for: after the frame that must be
 * dropped, the typist's socket makes a round trip (the server handled it)
 * and a message follows from the same instance; the receiver gets the
 * message, and no typing frame before or shortly after it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { TYPING_TIMEOUT_MS } from '../../core/use-cases/sync/send-typing.js';
import { useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, type TestUser, type WsClient } from '../support/ws-client.js';

const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

async function send(on: ServerProcess, from: TestUser, to: TestUser, content: string) {
  const sent = await callJson(on.url, 'POST', '/api/chat/send', {
    token: from.token,
    body: { receiverId: to.userId, content },
  });
  expect(sent.status).toBe(201);
}

async function settings(on: ServerProcess, who: TestUser, typingIndicators: boolean) {
  const patched = await callJson(on.url, 'PATCH', '/api/users/me', {
    token: who.token,
    body: { typingIndicators },
  });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ typingIndicators });
}

/**
 * Fails if `receiver` got typing from `typist`: `typist`'s socket has been
 * handled up to here, so a message sent now from `typist`'s instance
 * arrives after any typing frame it pushed.
 */
async function expectNoTyping(
  typistSocket: WsClient,
  on: ServerProcess,
  typist: TestUser,
  receiver: WsClient,
  receiverUser: TestUser,
  marker: string,
) {
  await typistSocket.roundTrip();
  await send(on, typist, receiverUser, marker);
  const message = await receiver.waitFor(frameOf('new-message', { content: marker }));
  const before = receiver.frames.slice(0, receiver.frames.indexOf(message));
  expect(before.filter(frameOf('typing', { from: typist.userId }))).toEqual([]);
  await receiver.expectNoFrame(frameOf('typing', { from: typist.userId }), 150);
}

describe('typing between two instances', () => {
  it('reaches the partner on the other instance, unlogged, and ends when not refreshed', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceOnA = await cluster.connect(alice, a);
    const bobOnB = await cluster.connect(bob, b);
    await send(a, alice, bob, 'hi');
    await bobOnB.waitFor(frameOf('new-message', { content: 'hi' }));

    aliceOnA.send('typing', { to: bob.userId, active: true });
    const on = await bobOnB.waitFor(frameOf('typing', { from: alice.userId }));
    expect(on).toEqual({ type: 'typing', payload: { from: alice.userId, active: true } });
    aliceOnA.send('typing', { to: bob.userId, active: false });
    expect(await bobOnB.waitFor(frameOf('typing', { from: alice.userId }))).toEqual({
      type: 'typing',
      payload: { from: alice.userId, active: false },
    });
    // The typist gets nothing back, and the partner has nothing more.
    await aliceOnA.expectNoFrame(frameOf('typing'), 100);
    await bobOnB.expectNoFrame(frameOf('typing'), 100);

    const started = Date.now();
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    const ended = await bobOnB.waitFor(
      frameOf('typing', { from: alice.userId, active: false }),
      TYPING_TIMEOUT_MS + 3_000,
    );
    expect(ended.seq).toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 250);
    expect(elapsed).toBeLessThan(TYPING_TIMEOUT_MS + 3_000);

    // Typing logs nothing: the next logged event comes right after the one message.
    await send(b, alice, bob, 'after');
    const next = await bobOnB.waitFor(frameOf('new-message', { content: 'after' }));
    expect(next.seq).toBe(2);
  });

  it('reaches nobody who shares no conversation with the typist', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const carol = await registerUser(b.url, 'Carol');
    const aliceOnA = await cluster.connect(alice, a);
    const carolOnB = await cluster.connect(carol, b);

    aliceOnA.send('typing', { to: carol.userId, active: true });
    await expectNoTyping(aliceOnA, a, alice, carolOnB, carol, 'first message');

    // The message just sent made a conversation: now typing flows.
    aliceOnA.send('typing', { to: carol.userId, active: true });
    await carolOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    aliceOnA.send('typing', { to: carol.userId, active: false });
    await carolOnB.waitFor(frameOf('typing', { from: alice.userId, active: false }));
  });

  it('stops both ways when either turns typing indicators off on the other instance', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceOnA = await cluster.connect(alice, a);
    const bobOnB = await cluster.connect(bob, b);
    await send(a, alice, bob, 'hi');

    // Bob, on B, turns them off: Alice's typing (handled on A) and his own stop.
    await settings(b, bob, false);
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await expectNoTyping(aliceOnA, a, alice, bobOnB, bob, 'to Bob, indicators off');
    bobOnB.send('typing', { to: alice.userId, active: true });
    await expectNoTyping(bobOnB, b, bob, aliceOnA, alice, 'to Alice, indicators off');

    // Back on for Bob, off for Alice (set on A): still nothing either way.
    await settings(b, bob, true);
    await settings(a, alice, false);
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await expectNoTyping(aliceOnA, a, alice, bobOnB, bob, 'to Bob, Alice off');
    bobOnB.send('typing', { to: alice.userId, active: true });
    await expectNoTyping(bobOnB, b, bob, aliceOnA, alice, 'to Alice, Alice off');

    // Both on again (set on B for Alice): it flows both ways.
    await settings(b, alice, true);
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    bobOnB.send('typing', { to: alice.userId, active: true });
    await aliceOnA.waitFor(frameOf('typing', { from: bob.userId, active: true }));
  });
});

describe('typing through both instances', () => {
  /** Alice with a device on each instance, and Bob on B, sharing a conversation. */
  async function typistOnBoth() {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceOnA = await cluster.connect(alice, a);
    const aliceOnB = await cluster.connect(alice, b);
    const bobOnB = await cluster.connect(bob, b);
    await send(a, alice, bob, 'hi');
    await bobOnB.waitFor(frameOf('new-message', { content: 'hi' }));
    const typingSeen = () =>
      bobOnB.frames
        .filter(frameOf('typing', { from: alice.userId }))
        .map((frame) => frame.payload.active);
    return { alice, bob, aliceOnA, aliceOnB, bobOnB, typingSeen };
  }

  it('ends once, the timeout after the last refresh, when the refreshes alternate between instances', async () => {
    const { bob, aliceOnA, aliceOnB, bobOnB, alice, typingSeen } = await typistOnBoth();
    // Each refresh comes before the previous one's timeout would end it.
    const refreshEveryMs = (TYPING_TIMEOUT_MS * 2) / 3;
    const started = Date.now();
    let last = started;
    for (const [i, device] of [aliceOnA, aliceOnB, aliceOnA].entries()) {
      await sleep(Math.max(0, started + i * refreshEveryMs - Date.now()));
      last = Date.now();
      device.send('typing', { to: bob.userId, active: true });
      await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    }
    const ended = await bobOnB.waitFor(
      frameOf('typing', { from: alice.userId, active: false }),
      TYPING_TIMEOUT_MS + 3_000,
    );
    const elapsed = Date.now() - last;
    expect(ended.payload).toEqual({ from: alice.userId, active: false });
    // Nothing ended it while Alice kept refreshing, through either instance.
    expect(typingSeen()).toEqual([true, true, true, false]);
    expect(elapsed).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 250);
    expect(elapsed).toBeLessThan(TYPING_TIMEOUT_MS + 3_000);
    // And no instance ends it a second time.
    await bobOnB.expectNoFrame(frameOf('typing', { from: alice.userId }), 1_500);
  }, 30_000);

  it('ends once at an `active: false` through the other instance, with nothing after the timeout', async () => {
    const { bob, aliceOnA, aliceOnB, bobOnB, alice, typingSeen } = await typistOnBoth();
    const started = Date.now();
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    aliceOnB.send('typing', { to: bob.userId, active: false });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: false }));
    // Past the timeout of the `active: true` handled on A, and a margin.
    await bobOnB.expectNoFrame(
      frameOf('typing', { from: alice.userId }),
      started + TYPING_TIMEOUT_MS + 1_500 - Date.now(),
    );
    expect(typingSeen()).toEqual([true, false]);
  }, 30_000);
});

describe('typing when the instance that took it shuts down', () => {
  /** A third instance C, Alice on it typing to Bob on B (shown to Bob). */
  async function typingFromC() {
    const c = await cluster.start('C');
    const alice = await registerUser(c.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceOnC = await cluster.connect(alice, c);
    const bobOnB = await cluster.connect(bob, b);
    await send(c, alice, bob, 'hi');
    await bobOnB.waitFor(frameOf('new-message', { content: 'hi' }));
    aliceOnC.send('typing', { to: bob.userId, active: true });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));
    return { c, alice, bob, bobOnB };
  }

  it('ends at once for the partner on another instance, not after the timeout', async () => {
    const { c, alice, bobOnB } = await typingFromC();

    const stopping = Date.now();
    const exit = await c.stop();
    expect(exit.code).toBe(0);
    const ended = await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: false }));
    expect(ended.payload).toEqual({ from: alice.userId, active: false });
    expect(Date.now() - stopping).toBeLessThan(TYPING_TIMEOUT_MS / 2);
    await bobOnB.expectNoFrame(frameOf('typing', { from: alice.userId }), 500);
  }, 30_000);

  it('leaves a typing refreshed through another instance to that instance', async () => {
    const { c, alice, bob, bobOnB } = await typingFromC();
    const aliceOnA = await cluster.connect(alice, a);
    const refreshed = Date.now();
    aliceOnA.send('typing', { to: bob.userId, active: true });
    await bobOnB.waitFor(frameOf('typing', { from: alice.userId, active: true }));

    expect((await c.stop()).code).toBe(0);
    // Nothing from C's shutdown: the refresh through A is the one that ends it, on time.
    const ended = await bobOnB.waitFor(
      frameOf('typing', { from: alice.userId, active: false }),
      TYPING_TIMEOUT_MS + 3_000,
    );
    expect(ended.payload).toEqual({ from: alice.userId, active: false });
    expect(Date.now() - refreshed).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 250);
  }, 30_000);
});
