/**
 * A user reaches only their own data: another pair's conversation and
 * messages, another user's key pool count, another user's keys (replenish,
 * publish), another pair's call history, and someone else's call on the
 * socket, another user's account (profile edits, password, deletion) and
 * block list are all out of reach. Ids and fields that would name another
 * user are ignored or refused; the caller is always the token's user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallId, UserId } from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestApp,
} from '../support/http.js';
import { plainPreKeys } from '../support/libsignal-keys.js';
import {
  frameOf,
  registerUser as registerOnServer,
  useWsTestServer,
} from '../support/ws-client.js';
import { bundleWith, expectError } from './helpers.js';

let t: TestApp;
let alice: RegisteredUser;
let bob: RegisteredUser;
let carol: RegisteredUser;
/** A message of the alice–bob conversation. */
let secret: { _id: string; conversationId: string };

beforeAll(async () => {
  t = await createTestApp();
  [alice, bob, carol] = await Promise.all([
    registerUser(t.app),
    registerUser(t.app),
    registerUser(t.app),
  ]);
  const sent = await call(t.app, 'POST', '/api/chat/send', {
    token: alice.token,
    json: { receiverId: bob.userId, content: 'for bob only', clientMessageId: 'alice-1' },
  });
  expect(sent.status).toBe(201);
  secret = sent.body;
});

describe("another pair's conversation", () => {
  it('is not in the conversation list', async () => {
    const res = await call(t.app, 'GET', '/api/chat/conversations', { token: carol.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('has no messages for a third party, whichever of the two is named', async () => {
    for (const peer of [alice, bob]) {
      const res = await call(t.app, 'GET', `/api/chat/messages/${peer.userId}`, {
        token: carol.token,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
  });

  it('cannot be read through its conversation id or used as a cursor', async () => {
    const byConversation = await call(t.app, 'GET', `/api/chat/messages/${secret.conversationId}`, {
      token: carol.token,
    });
    expectError(byConversation, 'USER_NOT_FOUND');
    const cursor = await call(
      t.app,
      'GET',
      `/api/chat/messages/${bob.userId}?before=${secret._id}`,
      {
        token: carol.token,
      },
    );
    expectError(cursor, 'VALIDATION_FAILED');
    expect(cursor.body.error.details).toEqual([{ path: 'before', message: expect.any(String) }]);
    expect(JSON.stringify(cursor.body)).not.toContain('for bob only');
  });

  it('cannot be written into: sender and conversation are the caller’s, whatever the body says', async () => {
    const res = await call(t.app, 'POST', '/api/chat/send', {
      token: carol.token,
      json: {
        receiverId: bob.userId,
        content: 'spoofed?',
        senderId: alice.userId,
        conversationId: secret.conversationId,
        _id: secret._id,
        createdAt: '2000-01-01T00:00:00.000Z',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.senderId).toBe(carol.userId);
    expect(res.body.conversationId).not.toBe(secret.conversationId);
    expect(res.body._id).not.toBe(secret._id);
    const thread = await call(t.app, 'GET', `/api/chat/messages/${bob.userId}`, {
      token: alice.token,
    });
    expect(thread.body.map((m: { content: string }) => m.content)).toEqual(['for bob only']);
  });

  it("never returns another sender's message for a reused clientMessageId", async () => {
    const res = await call(t.app, 'POST', '/api/chat/send', {
      token: carol.token,
      json: { receiverId: bob.userId, content: 'mine', clientMessageId: 'alice-1' },
    });
    expect(res.status).toBe(201);
    expect(res.body.senderId).toBe(carol.userId);
    expect(res.body.content).toBe('mine');
  });
});

describe("another user's keys", () => {
  beforeAll(async () => {
    const published = await call(t.app, 'POST', '/api/keys/publish', {
      token: alice.token,
      json: bundleWith(10),
    });
    expect(published.body).toEqual({ count: 10, kyberCount: 10 });
  });

  const countOf = async (user: RegisteredUser, query = '') =>
    (await call(t.app, 'GET', `/api/keys/onetime/count${query}`, { token: user.token })).body;

  it('pool count is always the caller’s, whatever the query names', async () => {
    expect(await countOf(carol)).toEqual({ count: 0, kyberCount: 0 });
    expect(await countOf(carol, `?userId=${alice.userId}`)).toEqual({ count: 0, kyberCount: 0 });
    expect(await countOf(carol, `?owner=${alice.userId}&id=${alice.userId}`)).toEqual({
      count: 0,
      kyberCount: 0,
    });
    expect(await countOf(alice)).toEqual({ count: 10, kyberCount: 10 });
  });

  it('cannot be replenished by someone else', async () => {
    const attempt = await call(t.app, 'POST', '/api/keys/onetime/replenish', {
      token: carol.token,
      json: { userId: alice.userId, ownerId: alice.userId, oneTimePreKeys: plainPreKeys([50, 51]) },
    });
    // Carol has no bundle of her own: the keys could only have gone to hers.
    expectError(attempt, 'BUNDLE_NOT_FOUND');
    expect(await countOf(alice)).toEqual({ count: 10, kyberCount: 10 });

    await call(t.app, 'POST', '/api/keys/publish', { token: carol.token, json: bundleWith(1) });
    const own = await call(t.app, 'POST', '/api/keys/onetime/replenish', {
      token: carol.token,
      json: { userId: alice.userId, oneTimePreKeys: plainPreKeys([50, 51]) },
    });
    expect(own.body).toEqual({ count: 3, kyberCount: 1 });
    expect(await countOf(alice)).toEqual({ count: 10, kyberCount: 10 });
  });

  it('cannot be replaced by someone else’s publish', async () => {
    const before = await call(t.app, 'GET', `/api/keys/${alice.userId}/bundle`, {
      token: bob.token,
    });
    const res = await call(t.app, 'POST', '/api/keys/publish', {
      token: carol.token,
      json: { ...bundleWith(2), userId: alice.userId },
    });
    expect(res.status).toBe(200);
    const after = await call(t.app, 'GET', `/api/keys/${alice.userId}/bundle`, {
      token: bob.token,
    });
    expect(after.body.identityKey).toBe(before.body.identityKey);
    expect(after.body.signedPreKey).toEqual(before.body.signedPreKey);
  });
});

describe("another pair's call history", () => {
  beforeAll(async () => {
    const startedAt = new Date('2026-03-01T11:00:00.000Z');
    const inserted = await t.deps.calls.insert({
      id: 'alice-bob-call' as CallId,
      callerId: alice.userId as UserId,
      calleeId: bob.userId as UserId,
      media: 'video',
      status: 'completed',
      startedAt,
      answeredAt: startedAt,
      endedAt: new Date('2026-03-01T11:05:00.000Z'),
      durationSec: 300,
      endReason: 'hangup',
    });
    expect(inserted).toBe(true);
  });

  it('is visible to both parties and to nobody else, whatever the query names', async () => {
    for (const party of [alice, bob]) {
      const res = await call(t.app, 'GET', '/api/calls', { token: party.token });
      expect(res.body.map((c: { _id: string }) => c._id)).toEqual(['alice-bob-call']);
    }
    for (const query of ['', `?userId=${alice.userId}`, `?callerId=${alice.userId}`]) {
      const res = await call(t.app, 'GET', `/api/calls${query}`, { token: carol.token });
      expect(res.status).toBe(200);
      expect(res.body, query).toEqual([]);
    }
  });
});

describe("someone else's call on the socket", () => {
  const { server, connect } = useWsTestServer();

  it('refuses every frame of a call the sender is not a party to with NOT_IN_CALL, and the call goes on', async () => {
    const [a, b, c] = await Promise.all(
      ['Alice', 'Bob', 'Carol'].map((name) => registerOnServer(server.url, name)),
    );
    const [caller, callee, intruder] = await Promise.all([connect(a!), connect(b!), connect(c!)]);
    const callId = 'private-call-1';
    caller.send('call-user', { to: b!.userId, callId });
    await caller.waitFor(frameOf('call-ringing', { callId }));
    await callee.waitFor(frameOf('call-user', { callId }));

    for (const type of [
      'call-accepted',
      'call-rejected',
      'offer',
      'answer',
      'ice-candidate',
      'call-ended',
    ]) {
      intruder.send(type, { callId, sdp: 'evil', candidate: 'evil', from: a!.userId });
      const refusal = await intruder.waitFor(frameOf('error', { type }));
      expect(refusal.payload.code, type).toBe('NOT_IN_CALL');
    }
    // Nor can it take the call id over: its own call gets a fresh id (Alice is busy in hers).
    intruder.send('call-user', { to: a!.userId, callId });
    const busy = await intruder.waitFor(frameOf('call-rejected', { reason: 'busy' }));
    expect(busy.payload.callId).not.toBe(callId);
    await caller.expectNoFrame((frame) => frame.payload?.from === c!.userId, 100);
    await callee.expectNoFrame((frame) => frame.payload?.from === c!.userId, 100);

    // The parties' call is untouched.
    callee.send('call-accepted', { callId });
    expect((await caller.waitFor(frameOf('call-accepted', { callId }))).payload.from).toBe(
      b!.userId,
    );
    callee.send('offer', { callId, sdp: 'v=0', from: c!.userId });
    expect((await caller.waitFor(frameOf('offer', { callId }))).payload).toMatchObject({
      from: b!.userId,
      sdp: 'v=0',
    });
  });
});

describe("another user's account, block list and password", () => {
  const ALICE_PASSWORD = 'alice only passphrase';
  const MALLORY_PASSWORD = 'mallory passphrase';
  let owner: RegisteredUser;
  let mallory: RegisteredUser;
  let target: RegisteredUser;

  beforeAll(async () => {
    [owner, mallory, target] = await Promise.all([
      registerUser(t.app, { password: ALICE_PASSWORD, displayName: 'Owner' }),
      registerUser(t.app, { password: MALLORY_PASSWORD, displayName: 'Mallory' }),
      registerUser(t.app),
    ]);
    const blocked = await call(t.app, 'PUT', `/api/users/me/blocked/${target.userId}`, {
      token: owner.token,
    });
    expect(blocked.status).toBe(204);
  });

  const blockListOf = async (user: RegisteredUser) =>
    (await call(t.app, 'GET', '/api/users/me/blocked', { token: user.token })).body.map(
      (entry: { userId: string }) => entry.userId,
    );

  it('is read by nobody else: every route names the caller, ids in paths and queries are not routes', async () => {
    expect(await blockListOf(mallory)).toEqual([]);
    const aside = await call(t.app, 'GET', `/api/users/me/blocked?userId=${owner.userId}`, {
      token: mallory.token,
    });
    expect(aside.body).toEqual([]);
    for (const path of [`/api/users/${owner.userId}/blocked`, `/api/users/${owner.userId}`]) {
      const res = await call(t.app, 'GET', path, { token: mallory.token });
      expect(res.status, path).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(target.userId);
    }
    const me = await call(t.app, 'GET', `/api/users/me?userId=${owner.userId}`, {
      token: mallory.token,
    });
    expect(me.body._id).toBe(mallory.userId);
  });

  it('is changed by nobody else: unblocking or blocking acts on the caller’s own list', async () => {
    const lifted = await call(t.app, 'DELETE', `/api/users/me/blocked/${target.userId}`, {
      token: mallory.token,
    });
    expect(lifted.status).toBe(204);
    expect(await blockListOf(owner)).toEqual([target.userId]);
    await call(t.app, 'PUT', `/api/users/me/blocked/${carol.userId}`, {
      token: mallory.token,
      json: { blockerId: owner.userId },
    });
    expect(await blockListOf(owner)).toEqual([target.userId]);
    expect(await blockListOf(mallory)).toEqual([carol.userId]);
  });

  it("edits only the caller's profile, whatever ids the body names", async () => {
    const res = await call(t.app, 'PATCH', '/api/users/me', {
      token: mallory.token,
      json: { _id: owner.userId, id: owner.userId, userId: owner.userId, displayName: 'Pwned' },
    });
    expect(res.body._id).toBe(mallory.userId);
    const profile = await call(t.app, 'GET', `/api/users/${owner.userId}/profile`, {
      token: mallory.token,
    });
    expect(profile.body.displayName).toBe('Owner');
  });

  it("never changes another's password, even with it in hand", async () => {
    const res = await call(t.app, 'POST', '/api/auth/password', {
      token: mallory.token,
      json: { userId: owner.userId, currentPassword: ALICE_PASSWORD, newPassword: 'taken over' },
    });
    expectError(res, 'INVALID_CREDENTIALS');
    const login = await call(t.app, 'POST', '/api/auth/login', {
      json: { phoneNumber: owner.phoneNumber, password: ALICE_PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it("never deletes another's account: the token's user is the one deleted, if the password is theirs", async () => {
    const withTheirs = await call(t.app, 'DELETE', '/api/users/me', {
      token: mallory.token,
      json: { userId: owner.userId, password: ALICE_PASSWORD },
    });
    expectError(withTheirs, 'INVALID_CREDENTIALS');
    const mine = await call(t.app, 'DELETE', '/api/users/me', {
      token: mallory.token,
      json: { userId: owner.userId, _id: owner.userId, password: MALLORY_PASSWORD },
    });
    expect(mine.status).toBe(204);
    expect((await call(t.app, 'GET', '/api/users/me', { token: owner.token })).status).toBe(200);
    expect((await call(t.app, 'GET', '/api/users/me', { token: mallory.token })).status).toBe(401);
    expect(await blockListOf(owner)).toEqual([target.userId]);
  });
});
