import { beforeEach, describe, expect, it } from 'vitest';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_PASSWORD,
  type TestHttpApp,
} from '../../../test/support/http.js';

let app: TestHttpApp;
let alice: RegisteredUser;
let bob: RegisteredUser;

beforeEach(async () => {
  ({ app } = await createTestApp());
  alice = await registerUser(app, { username: 'Alice_W', displayName: 'Alice' });
  bob = await registerUser(app, { username: 'bob', displayName: 'Bob' });
});

const patch = (json: unknown, token = alice.token) =>
  call(app, 'PATCH', '/api/users/me', { token, json });

describe('GET /api/users/me', () => {
  it("answers the caller's profile and settings", async () => {
    const res = await call(app, 'GET', '/api/users/me', { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      _id: alice.userId,
      username: 'Alice_W',
      displayName: 'Alice',
      phoneNumber: alice.phoneNumber,
      createdAt: '2026-03-01T12:00:00.000Z',
      lastSeen: null,
      readReceipts: true,
      typingIndicators: true,
    });
  });

  it('needs a token', async () => {
    expect((await call(app, 'GET', '/api/users/me')).status).toBe(401);
  });
});

describe('PATCH /api/users/me', () => {
  it('changes the given fields only and answers the stored account', async () => {
    const res = await patch({ displayName: '  Alicia ', typingIndicators: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'Alice_W',
      displayName: 'Alicia',
      readReceipts: true,
      typingIndicators: false,
    });
    const profile = await call(app, 'GET', `/api/users/${alice.userId}/profile`, {
      token: bob.token,
    });
    expect(profile.body.displayName).toBe('Alicia');
  });

  it('clears the username with null and leaves it alone when absent', async () => {
    expect((await patch({ displayName: 'A' })).body.username).toBe('Alice_W');
    expect((await patch({ username: null })).body.username).toBeNull();
    const found = await call(app, 'GET', '/api/users/by-username/alice_w', { token: bob.token });
    expect(found.status).toBe(404);
  });

  it('treats null like absent for the other fields', async () => {
    const res = await patch({ displayName: null, readReceipts: null, typingIndicators: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Alice', readReceipts: true });
  });

  it('answers 409 USERNAME_TAKEN for a username another user holds in any case', async () => {
    const res = await patch({ username: 'BOB', displayName: 'Changed' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('USERNAME_TAKEN');
    const me = await call(app, 'GET', '/api/users/me', { token: alice.token });
    expect(me.body.displayName).toBe('Alice');
  });

  it('answers 400 per offending field with sign-up rules', async () => {
    const res = await patch({
      displayName: 'x'.repeat(65),
      username: 'no spaces allowed',
      readReceipts: 'yes',
      typingIndicators: 1,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'displayName',
      'readReceipts',
      'typingIndicators',
      'username',
    ]);
    for (const displayName of ['', ' ', 'a\u0000b', 'x\u202Ey', { $set: 'x' }]) {
      expect((await patch({ displayName })).status).toBe(400);
    }
  });

  it('ignores unknown fields, so nobody changes a phone number or a password this way', async () => {
    const res = await patch({ phoneNumber: '+15559999999', passwordHash: 'x', _id: bob.userId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ _id: alice.userId, phoneNumber: alice.phoneNumber });
  });

  it('refuses a body that is not an object', async () => {
    expect((await patch([])).status).toBe(400);
    expect((await patch(null)).status).toBe(400);
  });
});

describe('/api/users/me/blocked', () => {
  const put = (id: string, token = alice.token) =>
    call(app, 'PUT', `/api/users/me/blocked/${id}`, { token });
  const del = (id: string, token = alice.token) =>
    call(app, 'DELETE', `/api/users/me/blocked/${id}`, { token });
  const list = (token = alice.token) => call(app, 'GET', '/api/users/me/blocked', { token });

  it('blocks (204, idempotent), lists newest first and unblocks (204, idempotent)', async () => {
    expect((await put(bob.userId)).status).toBe(204);
    expect((await put(bob.userId)).status).toBe(204);
    const listed = await list();
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        userId: bob.userId,
        username: 'bob',
        displayName: 'Bob',
        blockedAt: '2026-03-01T12:00:00.000Z',
      },
    ]);
    expect((await del(bob.userId)).status).toBe(204);
    expect((await del(bob.userId)).status).toBe(204);
    expect((await list()).body).toEqual([]);
  });

  it('answers 400 for oneself and 404 USER_NOT_FOUND for unknown or malformed ids', async () => {
    const self = await put(alice.userId);
    expect(self.status).toBe(400);
    expect(self.body.error.details).toEqual([{ path: 'userId', message: expect.any(String) }]);
    for (const id of ['65a1b2c3d4e5f60718293a4b', 'abc', '%24gt']) {
      expect((await put(id)).body.error.code).toBe('USER_NOT_FOUND');
    }
    expect((await del('abc')).status).toBe(204);
  });

  it("shows each user only their own list: nobody reads or lifts another's blocks", async () => {
    await put(bob.userId);
    expect((await list(bob.token)).body).toEqual([]);
    // Bob "unblocking" himself on his own list changes nothing on Alice's.
    expect((await del(alice.userId, bob.token)).status).toBe(204);
    expect((await del(bob.userId, bob.token)).status).toBe(204);
    expect((await list()).body.map((e: { userId: string }) => e.userId)).toEqual([bob.userId]);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect((await call(app, method, `/api/users/me/blocked/${bob.userId}`)).status).toBe(401);
    }
  });

  it('hides the block from every answer the blocked user gets', async () => {
    await patch({ username: 'alice_w' });
    await put(bob.userId);
    const sent = await call(app, 'POST', '/api/chat/send', {
      token: bob.token,
      json: { receiverId: alice.userId, content: 'hello?' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ senderId: bob.userId, receiverId: alice.userId });
    const inbox = await call(app, 'GET', `/api/chat/messages/${bob.userId}`, {
      token: alice.token,
    });
    expect(inbox.body).toEqual([]);
    const lookup = await call(app, 'POST', '/api/users/lookup', {
      token: bob.token,
      json: { phoneNumbers: [alice.phoneNumber] },
    });
    expect(lookup.body).toEqual([]);
    const byName = await call(app, 'GET', '/api/users/by-username/ALICE_W', { token: bob.token });
    expect(byName.status).toBe(404);
    const presence = await call(app, 'POST', '/api/users/presence', {
      token: bob.token,
      json: { userIds: [alice.userId] },
    });
    expect(presence.body).toEqual({
      [alice.userId]: { status: 'offline', lastSeen: '2026-03-01T12:00:00.000Z' },
    });
  });
});

describe('DELETE /api/users/me', () => {
  const remove = (json: unknown, token = alice.token) =>
    call(app, 'DELETE', '/api/users/me', { token, json });

  it('answers 204 and leaves nothing that logs in or can be fetched; the number and name are free', async () => {
    await call(app, 'POST', '/api/chat/send', {
      token: bob.token,
      json: { receiverId: alice.userId, content: 'hi Alice' },
    });
    const res = await remove({ password: TEST_PASSWORD });
    expect(res.status).toBe(204);
    expect((await call(app, 'GET', '/api/users/me', { token: alice.token })).status).toBe(401);
    const login = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber: alice.phoneNumber, password: TEST_PASSWORD },
    });
    expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
    for (const path of [`/api/users/${alice.userId}/profile`, '/api/users/by-username/alice_w']) {
      const gone = await call(app, 'GET', path, { token: bob.token });
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('USER_NOT_FOUND');
    }
    const lookup = await call(app, 'POST', '/api/users/lookup', {
      token: bob.token,
      json: { phoneNumbers: [alice.phoneNumber] },
    });
    expect(lookup.body).toEqual([]);
    const send = await call(app, 'POST', '/api/chat/send', {
      token: bob.token,
      json: { receiverId: alice.userId, content: 'still there?' },
    });
    expect(send.body.error.code).toBe('USER_NOT_FOUND');

    // Bob keeps his copy, the peer shown as a deleted account.
    const list = await call(app, 'GET', '/api/chat/conversations', { token: bob.token });
    expect(list.body.map((c: { peer: unknown }) => c.peer)).toEqual([
      { _id: alice.userId, username: null, displayName: 'Deleted account', deleted: true },
    ]);
    const messages = await call(app, 'GET', `/api/chat/messages/${alice.userId}`, {
      token: bob.token,
    });
    expect(messages.body.map((m: { content: string }) => m.content)).toEqual(['hi Alice']);

    const again = await registerUser(app, { username: 'ALICE_W', phoneNumber: alice.phoneNumber });
    expect(again.userId).not.toBe(alice.userId);
  });

  it('answers a wrong password 401 INVALID_CREDENTIALS and deletes nothing', async () => {
    const res = await remove({ password: 'not the password' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await call(app, 'GET', '/api/users/me', { token: alice.token })).status).toBe(200);
  });

  it('needs the password in the body and a token', async () => {
    for (const json of [{}, { password: null }, { password: 12345678 }, []]) {
      const res = await remove(json);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(
      (await call(app, 'DELETE', '/api/users/me', { json: { password: TEST_PASSWORD } })).status,
    ).toBe(401);
    expect((await call(app, 'GET', '/api/users/me', { token: alice.token })).status).toBe(200);
  });
});
