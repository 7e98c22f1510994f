/**
 * Presence over real sockets (API.md §7): pushes on changes of the combined
 * status to conversation partners and subscribers, never to strangers;
 * `subscribe-presence` answers at once; `lastSeen` when the last socket goes.
 */
import { describe, expect, it } from 'vitest';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, useWsTestServer } from '../support/ws-client.js';

const { server, connect } = useWsTestServer();

/** Two users who share a conversation, and a stranger; nobody connected yet. */
async function partners() {
  const alice = await registerUser(server.url, 'Alice');
  const bob = await registerUser(server.url, 'Bob');
  const stranger = await registerUser(server.url, 'Stranger');
  const sent = await callJson(server.url, 'POST', '/api/chat/send', {
    token: bob.token,
    body: { receiverId: alice.userId, content: 'hi' },
  });
  expect(sent.status).toBe(201);
  return { alice, bob, stranger };
}

const aboutUser = (userId: string, status?: string) =>
  frameOf('presence-update', status === undefined ? { userId } : { userId, status });

describe('presence-update pushes', () => {
  it('tell partners of connect, idle, active and offline; strangers learn nothing', async () => {
    const { alice, bob, stranger } = await partners();
    const b = await connect(bob);
    const s = await connect(stranger);

    const a1 = await connect(alice);
    expect((await b.waitFor(aboutUser(alice.userId))).payload).toEqual({
      userId: alice.userId,
      status: 'active',
      lastSeen: null,
    });

    a1.send('update-presence', { status: 'idle' });
    await b.waitFor(aboutUser(alice.userId, 'idle'));

    // A second connection starts active: the combined status changes.
    const a2 = await connect(alice);
    await b.waitFor(aboutUser(alice.userId, 'active'));
    // No flapping: the idle connection going active changes nothing combined.
    a1.send('update-presence', { status: 'active' });
    a1.send('update-presence', { status: 'idle' });
    await a1.roundTrip();
    await a2.close();
    // a1 is idle and alone now.
    await b.waitFor(aboutUser(alice.userId, 'idle'));
    await b.expectNoFrame(aboutUser(alice.userId), 100);

    await a1.close();
    const offline = await b.waitFor(aboutUser(alice.userId, 'offline'));
    expect(offline.payload.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // The stored lastSeen is what the HTTP presence route shows too.
    const pulled = await callJson(server.url, 'POST', '/api/users/presence', {
      token: bob.token,
      body: { userIds: [alice.userId] },
    });
    expect(pulled.body[alice.userId]).toEqual({
      status: 'offline',
      lastSeen: offline.payload.lastSeen,
    });

    await s.expectNoFrame(frameOf('presence-update'), 100);
    // Nor does Alice hear of herself.
    expect(a1.frames.filter((f) => f.type === 'presence-update')).toEqual([]);
  });
});

describe('subscribe-presence', () => {
  it('answers at once for known ids, then pushes changes until unsubscribed', async () => {
    const { alice, stranger } = await partners();
    const watcher = await connect(stranger);
    watcher.send('subscribe-presence', {
      userIds: [alice.userId, '0123456789abcdef01234567', 'garbage', alice.userId],
    });
    expect((await watcher.waitFor(frameOf('presence-update'))).payload).toEqual({
      userId: alice.userId,
      status: 'offline',
      lastSeen: null,
    });
    await watcher.expectNoFrame(frameOf('presence-update'), 100);

    const a = await connect(alice);
    await watcher.waitFor(aboutUser(alice.userId, 'active'));
    a.send('update-presence', { status: 'idle' });
    await watcher.waitFor(aboutUser(alice.userId, 'idle'));

    watcher.send('unsubscribe-presence', { userIds: [alice.userId] });
    await watcher.roundTrip();
    a.send('update-presence', { status: 'active' });
    await a.roundTrip();
    await watcher.expectNoFrame(frameOf('presence-update'), 150);
  });

  it('only affects the connection that asked', async () => {
    const { alice, stranger } = await partners();
    const [w1, w2] = [await connect(stranger), await connect(stranger)];
    w1.send('subscribe-presence', { userIds: [alice.userId] });
    await w1.waitFor(aboutUser(alice.userId, 'offline'));
    await connect(alice);
    await w1.waitFor(aboutUser(alice.userId, 'active'));
    await w2.expectNoFrame(frameOf('presence-update'), 100);
  });

  it('refuses an empty or too long list with VALIDATION_FAILED', async () => {
    const { stranger } = await partners();
    const s = await connect(stranger);
    s.send('subscribe-presence', { userIds: [] });
    expect((await s.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'VALIDATION_FAILED',
      type: 'subscribe-presence',
      details: [{ path: 'payload.userIds' }],
    });
    s.send('unsubscribe-presence', { userIds: Array.from({ length: 201 }, (_, i) => `u${i}`) });
    expect((await s.waitFor(frameOf('error'))).payload.code).toBe('VALIDATION_FAILED');
    s.send('subscribe-presence', { userIds: [1, 2] });
    expect((await s.waitFor(frameOf('error'))).payload.code).toBe('VALIDATION_FAILED');
  });
});
