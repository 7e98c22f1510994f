/**
 * Walking ids to people (SECURITY.md, threat model): ids cannot be guessed
 * from one another, a server-chosen callId cannot be squatted, reads that
 * resolve ids or names to people have a per-user budget, and a phone number
 * is shown only to the user and to those the user has written to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { createFakePasswordHasher } from '../support/fakes.js';
import { call, createTestApp, type RegisteredUser, registerUser } from '../support/http.js';
import { startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser as registerOn } from '../support/ws-client.js';
import { createLimitedApp, expectRateLimited } from './helpers.js';

const HOUR = 3600;

/** Fails unless `ids` are 24-hex, distinct, far apart as numbers, and every bit looks random. */
function expectUnguessable(ids: readonly string[]): void {
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
  expect(new Set(ids).size).toBe(ids.length);
  const values = ids.map((id) => BigInt(`0x${id}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Random 96-bit ids of a few thousand lie ~2^74 apart; an ObjectId's next is 1 away.
  let closest = 2n ** 96n;
  for (let i = 1; i < values.length; i++) {
    const gap = values[i]! - values[i - 1]!;
    if (gap < closest) closest = gap;
  }
  expect(closest > 2n ** 40n, `two ids only ${closest} apart`).toBe(true);
  // No bit is fixed (an ObjectId's timestamp and process bytes are): each is set
  // in about half the ids, within five standard deviations.
  const slack = 5 * (0.5 / Math.sqrt(values.length));
  for (let bit = 0n; bit < 96n; bit++) {
    const share = values.filter((value) => (value >> bit) & 1n).length / values.length;
    expect(Math.abs(share - 0.5), `bit ${bit} set in ${share} of the ids`).toBeLessThan(slack);
  }
}

describe('ids', () => {
  it('thousands of sign-ups and messages show no guessable neighbour', async () => {
    // The hasher is not under test; the real one would take minutes for this many users.
    const { app } = await createTestApp({ deps: { passwords: createFakePasswordHasher() } });
    const users: RegisteredUser[] = [];
    for (let i = 0; i < 2000; i++) users.push(await registerUser(app));
    expectUnguessable(users.map((user) => user.userId));

    const messageIds: string[] = [];
    const conversationIds = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const res = await call(app, 'POST', '/api/chat/send', {
        token: users[i]!.token,
        json: { receiverId: users[i + 1]!.userId, content: `hello ${i}` },
      });
      expect(res.status).toBe(201);
      messageIds.push(res.body._id);
      conversationIds.add(res.body.conversationId);
    }
    expectUnguessable(messageIds);
    expectUnguessable([...conversationIds]);
  });
});

describe('server-chosen callIds, on a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('are unguessable, so squatting the next likely ones cannot block anyone', async () => {
    const [mallory, victim, offline] = await Promise.all([
      registerOn(server.url, 'Mallory'),
      registerOn(server.url, 'Victim'),
      registerOn(server.url, 'Offline'),
    ]);
    const attacker = await connectWs(server.url, mallory.token);
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      attacker.send('call-user', { to: offline.userId });
      seen.push((await attacker.waitFor(frameOf('call-unavailable'))).payload.callId as string);
    }
    expectUnguessable(seen);

    // Squat the ids that would come next if ids counted up, as ObjectIds do.
    const last = BigInt(`0x${seen.at(-1)}`);
    for (let step = 1n; step <= 40n; step++) {
      const callId = (last + step).toString(16).padStart(24, '0');
      attacker.send('call-user', { to: offline.userId, callId });
      await attacker.waitFor(frameOf('call-unavailable', { callId }));
    }

    const caller = await connectWs(server.url, victim.token);
    for (let i = 0; i < 40; i++) {
      caller.send('call-user', { to: offline.userId });
      await caller.waitFor(frameOf('call-unavailable'));
    }
    expect(caller.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    await Promise.all([attacker.close(), caller.close()]);
  });
});

describe('reads that resolve users to people share a per-user budget', () => {
  it('profile, username and presence reads spend it (presence one per id); over it 429 RATE_LIMITED', async () => {
    const { app } = await createLimitedApp({
      profileReadsPerUser: { points: 6, durationSec: HOUR },
    });
    const alice = await registerUser(app);
    const bob = await registerUser(app, { username: 'bob_walks' });
    const carol = await registerUser(app);
    const as = (user: RegisteredUser) => ({
      profile: (id: string) => call(app, 'GET', `/api/users/${id}/profile`, { token: user.token }),
      byName: (name: string) =>
        call(app, 'GET', `/api/users/by-username/${name}`, { token: user.token }),
      presence: (userIds: string[]) =>
        call(app, 'POST', '/api/users/presence', { token: user.token, json: { userIds } }),
    });

    expect((await as(alice).profile(bob.userId)).status).toBe(200);
    // Unknown ids cost like known ones: probing is not free.
    expect((await as(alice).profile('ffffffffffffffffffffffff')).status).toBe(404);
    expect((await as(alice).byName('bob_walks')).status).toBe(200);
    expect((await as(alice).presence([bob.userId, carol.userId, alice.userId])).status).toBe(200);
    expectRateLimited(await as(alice).profile(bob.userId), HOUR);
    expectRateLimited(await as(alice).byName('bob_walks'), HOUR);
    expectRateLimited(await as(alice).presence([bob.userId]), HOUR);

    // One pull of more ids than the budget holds is refused whole.
    expectRateLimited(await as(carol).presence(Array.from({ length: 7 }, () => bob.userId)), HOUR);
    // Everyone has their own budget.
    expect((await as(bob).profile(alice.userId)).status).toBe(200);
  });
});

describe('phone numbers', () => {
  it('a profile shows the number only to the user and to those the user has written to', async () => {
    const { app } = await createTestApp();
    const alice = await registerUser(app, { username: 'alice_num' });
    const stranger = await registerUser(app);
    const friend = await registerUser(app);
    const profileOf = async (viewer: RegisteredUser, id: string) =>
      (await call(app, 'GET', `/api/users/${id}/profile`, { token: viewer.token })).body;
    const byName = async (viewer: RegisteredUser) =>
      (await call(app, 'GET', '/api/users/by-username/alice_num', { token: viewer.token })).body;

    // Knowing the id or the username is not enough; the field is there, null.
    expect(await profileOf(stranger, alice.userId)).toMatchObject({
      _id: alice.userId,
      displayName: alice.displayName,
      phoneNumber: null,
    });
    expect((await byName(stranger)).phoneNumber).toBeNull();
    // Writing to Alice does not show her number either.
    await call(app, 'POST', '/api/chat/send', {
      token: stranger.token,
      json: { receiverId: alice.userId, content: 'what is your number?' },
    });
    expect((await profileOf(stranger, alice.userId)).phoneNumber).toBeNull();

    await call(app, 'POST', '/api/chat/send', {
      token: alice.token,
      json: { receiverId: friend.userId, content: 'hi friend' },
    });
    expect((await profileOf(friend, alice.userId)).phoneNumber).toBe(alice.phoneNumber);
    expect((await byName(friend)).phoneNumber).toBe(alice.phoneNumber);
    expect((await profileOf(alice, alice.userId)).phoneNumber).toBe(alice.phoneNumber);
    // Contact discovery answers with the numbers the caller already knows.
    const found = await call(app, 'POST', '/api/users/lookup', {
      token: stranger.token,
      json: { phoneNumbers: [alice.phoneNumber] },
    });
    expect(found.body).toEqual([expect.objectContaining({ phoneNumber: alice.phoneNumber })]);
  });
});
