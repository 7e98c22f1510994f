import { beforeAll, describe, expect, it } from 'vitest';
import type { UserId } from '../../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
  UNKNOWN_ID,
} from '../../../test/support/http.js';
import type { HttpDeps } from '../env.js';

let app: TestHttpApp;
let deps: HttpDeps;
let alice: RegisteredUser;
let bob: RegisteredUser;
let carol: RegisteredUser;

beforeAll(async () => {
  ({ app, deps } = await createTestApp());
  alice = await registerUser(app, { username: 'Alice_W', displayName: 'Alice' });
  bob = await registerUser(app, { username: 'bob', displayName: 'Bob' });
  carol = await registerUser(app, { username: null, displayName: 'Carol' });
});

const get = (path: string) => call(app, 'GET', path, { token: alice.token });
const post = (path: string, json: unknown) => call(app, 'POST', path, { token: alice.token, json });

function expectUserNotFound(res: { status: number; body: unknown }) {
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ error: { code: 'USER_NOT_FOUND', message: expect.any(String) } });
}

describe('GET /api/users/:userId/profile', () => {
  it('answers the profile, lastSeen null for a user never seen, the phone number null for a stranger', async () => {
    const res = await get(`/api/users/${carol.userId}/profile`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      _id: carol.userId,
      username: null,
      displayName: 'Carol',
      phoneNumber: null,
      createdAt: '2026-03-01T12:00:00.000Z',
      lastSeen: null,
    });
  });

  it('shows the phone number once the user has written to the caller, and to the user', async () => {
    const sent = await call(app, 'POST', '/api/chat/send', {
      token: carol.token,
      json: { receiverId: alice.userId, content: 'hi Alice' },
    });
    expect(sent.status).toBe(201);
    expect((await get(`/api/users/${carol.userId}/profile`)).body.phoneNumber).toBe(
      carol.phoneNumber,
    );
    expect((await get(`/api/users/${alice.userId}/profile`)).body.phoneNumber).toBe(
      alice.phoneNumber,
    );
  });

  it('shows lastSeen as an ISO timestamp with milliseconds', async () => {
    await deps.users.setLastSeen(bob.userId as UserId, new Date('2026-03-02T08:09:10.011Z'));
    const res = await get(`/api/users/${bob.userId}/profile`);
    expect(res.body.lastSeen).toBe('2026-03-02T08:09:10.011Z');
  });

  it('answers 404 USER_NOT_FOUND for unknown and malformed ids', async () => {
    for (const id of [UNKNOWN_ID, 'abc', '%24gt', 'null', `${alice.userId}0`]) {
      expectUserNotFound(await get(`/api/users/${id}/profile`));
    }
  });
});

describe('GET /api/users/by-username/:username', () => {
  it('finds a user without regard to case', async () => {
    for (const name of ['Alice_W', 'alice_w', 'ALICE_W']) {
      const res = await get(`/api/users/by-username/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.body).toMatchObject({ _id: alice.userId, username: 'Alice_W' });
      expect(Object.keys(res.body).sort()).toEqual(
        ['_id', 'createdAt', 'displayName', 'lastSeen', 'phoneNumber', 'username'].sort(),
      );
    }
  });

  it('answers 404 USER_NOT_FOUND for an unknown username', async () => {
    expectUserNotFound(await get('/api/users/by-username/nobody_here'));
  });

  it('answers 404 USER_NOT_FOUND for strings that cannot be usernames', async () => {
    for (const name of ['ab', 'x'.repeat(33), 'has%20space', '%00', 'null', '.*', '%5E.%2B%24']) {
      expectUserNotFound(await get(`/api/users/by-username/${name}`));
    }
  });
});

describe('POST /api/users/presence', () => {
  it('answers a map of status and lastSeen for known ids only', async () => {
    await deps.presence.setConnectionStatus(alice.userId as UserId, 'c1', 'active');
    await deps.presence.setConnectionStatus(carol.userId as UserId, 'c2', 'idle');
    await deps.users.setLastSeen(bob.userId as UserId, new Date('2026-03-02T08:09:10.011Z'));
    const res = await post('/api/users/presence', {
      userIds: [bob.userId, UNKNOWN_ID, 'malformed', alice.userId, carol.userId, bob.userId],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      [bob.userId]: { status: 'offline', lastSeen: '2026-03-02T08:09:10.011Z' },
      [alice.userId]: { status: 'active', lastSeen: null },
      [carol.userId]: { status: 'idle', lastSeen: null },
    });
  });

  it('answers {} when no id is known', async () => {
    const res = await post('/api/users/presence', { userIds: [UNKNOWN_ID, '{"$gt":""}'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
  });

  it('takes 1 to 200 ids', async () => {
    expect(
      (await post('/api/users/presence', { userIds: Array(200).fill(UNKNOWN_ID) })).status,
    ).toBe(200);
    for (const userIds of [[], Array(201).fill(UNKNOWN_ID)]) {
      const res = await post('/api/users/presence', { userIds });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('userIds');
    }
  });

  it('refuses ids that are not strings, by index', async () => {
    const res = await post('/api/users/presence', { userIds: [alice.userId, { $ne: null }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'userIds.1', message: expect.any(String) }]);
    const notList = await post('/api/users/presence', { userIds: alice.userId });
    expect(notList.body.error.details[0].path).toBe('userIds');
  });
});

describe('POST /api/users/lookup', () => {
  it('answers matched users in order of first appearance, once each', async () => {
    const spaced = `${carol.phoneNumber.slice(0, 5)} ${carol.phoneNumber.slice(5)}`;
    const res = await post('/api/users/lookup', {
      phoneNumbers: [
        carol.phoneNumber,
        'not a number',
        '+4900000000000',
        bob.phoneNumber,
        spaced,
        carol.phoneNumber,
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { _id: carol.userId, username: null, displayName: 'Carol', phoneNumber: carol.phoneNumber },
      { _id: bob.userId, username: 'bob', displayName: 'Bob', phoneNumber: bob.phoneNumber },
    ]);
  });

  it('answers [] when nobody matches', async () => {
    const res = await post('/api/users/lookup', { phoneNumbers: ['+4900000000001', ''] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('takes 1 to 500 numbers', async () => {
    const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+49100000${1000 + i}`);
    expect((await post('/api/users/lookup', { phoneNumbers: numbers(500) })).status).toBe(200);
    for (const phoneNumbers of [[], numbers(501)]) {
      const res = await post('/api/users/lookup', { phoneNumbers });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe('phoneNumbers');
    }
  });

  it('refuses numbers that are not strings, by index', async () => {
    const res = await post('/api/users/lookup', { phoneNumbers: ['+4900000000001', 'x', 4915] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'phoneNumbers.2', message: expect.any(String) },
    ]);
  });
});
