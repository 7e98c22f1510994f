import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallId, CallRecord, UserId } from '../../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
} from '../../../test/support/http.js';
import { createIceServerSource } from '../../crypto/turn-credentials.js';
import type { HttpDeps } from '../env.js';

let app: TestHttpApp;
let deps: HttpDeps;
let alice: RegisteredUser;
let bob: RegisteredUser;
let carol: RegisteredUser;

const T0 = Date.parse('2026-03-01T09:00:00.000Z');

function record(
  id: string,
  callerId: string,
  calleeId: string,
  startMs: number,
  extra: Partial<CallRecord> = {},
): CallRecord {
  return {
    id: id as CallId,
    callerId: callerId as UserId,
    calleeId: calleeId as UserId,
    media: 'audio',
    status: 'ringing',
    startedAt: new Date(T0 + startMs),
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
    ...extra,
  };
}

beforeAll(async () => {
  ({ app, deps } = await createTestApp());
  alice = await registerUser(app, { displayName: 'Alice' });
  bob = await registerUser(app, { displayName: 'Bob' });
  carol = await registerUser(app, { displayName: 'Carol' });
  await deps.calls.insert(
    record('call-completed', alice.userId, bob.userId, 1000, {
      media: 'video',
      status: 'completed',
      answeredAt: new Date(T0 + 5000),
      endedAt: new Date(T0 + 65_000),
      durationSec: 60,
      endReason: 'hangup',
    }),
  );
  await deps.calls.insert(record('call-ringing', carol.userId, alice.userId, 3000));
  await deps.calls.insert(
    record('call-missed', bob.userId, alice.userId, 2000, {
      status: 'missed',
      endedAt: new Date(T0 + 62_000),
      endReason: 'timeout',
    }),
  );
  await deps.calls.insert(record('call-others', bob.userId, carol.userId, 4000));
});

const list = (who: RegisteredUser, query = '') =>
  call(app, 'GET', `/api/calls${query}`, { token: who.token });

describe('GET /api/calls', () => {
  it('answers the caller’s calls, newest first, in the contract’s shape', async () => {
    const res = await list(alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.map((c: { _id: string }) => c._id)).toEqual([
      'call-ringing',
      'call-missed',
      'call-completed',
    ]);
    expect(res.body[2]).toEqual({
      _id: 'call-completed',
      callerId: alice.userId,
      calleeId: bob.userId,
      media: 'video',
      status: 'completed',
      startedAt: '2026-03-01T09:00:01.000Z',
      answeredAt: '2026-03-01T09:00:05.000Z',
      endedAt: '2026-03-01T09:01:05.000Z',
      durationSec: 60,
      endReason: 'hangup',
    });
    expect(res.body[0]).toEqual({
      _id: 'call-ringing',
      callerId: carol.userId,
      calleeId: alice.userId,
      media: 'audio',
      status: 'ringing',
      startedAt: '2026-03-01T09:00:03.000Z',
      answeredAt: null,
      endedAt: null,
      durationSec: null,
      endReason: null,
    });
  });

  it('never shows calls the user took no part in', async () => {
    const ids = (await list(carol)).body.map((c: { _id: string }) => c._id);
    expect(ids).toEqual(['call-others', 'call-ringing']);
    const stranger = await registerUser(app);
    expect((await list(stranger)).body).toEqual([]);
  });

  it('pages with limit (default 30) and offset', async () => {
    expect(
      (await list(alice, '?limit=1&offset=1')).body.map((c: { _id: string }) => c._id),
    ).toEqual(['call-missed']);
    expect((await list(alice, '?limit=100&offset=0')).body).toHaveLength(3);
    expect((await list(alice, '?offset=3')).body).toEqual([]);
    // The default limit is 30.
    const busy = await registerUser(app);
    for (let i = 0; i < 31; i++) {
      await deps.calls.insert(record(`busy-${i}`, busy.userId, bob.userId, 10_000 + i));
    }
    const page = (await list(busy)).body;
    expect(page).toHaveLength(30);
    expect(page[0]._id).toBe('busy-30');
  });

  it('pages after a call of the history with before, offset within the older ones', async () => {
    const ids = (query: string) =>
      list(alice, query).then((res) => res.body.map((c: { _id: string }) => c._id));
    expect(await ids('?before=call-ringing')).toEqual(['call-missed', 'call-completed']);
    expect(await ids('?before=call-ringing&limit=1&offset=1')).toEqual(['call-completed']);
    expect(await ids('?before=call-completed')).toEqual([]);
    for (const before of ['call-others', 'unknown', '', '%7B%22%24gt%22%3A%22%22%7D']) {
      const res = await list(alice, `?before=${before}`);
      expect(res.status, before).toBe(400);
      expect(res.body.error.details[0].path).toBe('before');
    }
    const twice = await list(alice, '?before=call-ringing&before=call-missed');
    expect(twice.status).toBe(400);
    expect(twice.body.error.details[0].path).toBe('before');
  });

  it.each([
    ['limit', '0'],
    ['limit', '101'],
    ['limit', '1.5'],
    ['limit', 'abc'],
    ['limit', '-1'],
    ['limit', ''],
    ['offset', '-1'],
    ['offset', '1.5'],
    ['offset', 'x'],
    ['offset', '2147483648'],
  ])('refuses %s=%s with 400 at that parameter', async (name, value) => {
    const res = await list(alice, `?${name}=${value}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details[0].path).toBe(name);
  });

  it('refuses a repeated parameter', async () => {
    const res = await list(alice, '?limit=1&limit=2');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('limit');
  });

  it('needs a token', async () => {
    for (const path of ['/api/calls', '/api/calls/ice-servers']) {
      const res = await call(app, 'GET', path);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect((await call(app, 'GET', path, { token: 'not-a-jwt' })).status).toBe(401);
    }
  });
});

describe('GET /api/calls/ice-servers', () => {
  it('answers an empty list without configuration', async () => {
    const res = await call(app, 'GET', '/api/calls/ice-servers', { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ iceServers: [], ttl: 86_400 });
  });

  it('hands out STUN and TURN with a TURN REST credential that coturn accepts', async () => {
    const secret = 'coturn-static-auth-secret';
    const ttl = 3600;
    const test = await createTestApp({
      http: {
        iceServers: createIceServerSource({
          stunUrls: ['stun:stun.example.org:3478'],
          turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
          turnSecret: secret,
          ttlSec: ttl,
        }),
      },
    });
    const dave = await registerUser(test.app);
    const res = await call(test.app, 'GET', '/api/calls/ice-servers', { token: dave.token });
    expect(res.status).toBe(200);
    const nowSec = Math.floor(test.clock.now().getTime() / 1000);
    const [stun, turn] = res.body.iceServers;
    expect(res.body.ttl).toBe(ttl);
    expect(res.body.iceServers).toHaveLength(2);
    expect(stun).toEqual({ urls: ['stun:stun.example.org:3478'] });
    expect(turn.urls).toEqual([
      'turn:turn.example.org:3478?transport=udp',
      'turns:turn.example.org:5349',
    ]);
    expect(turn.username).toBe(`${nowSec + ttl}:${dave.userId}`);
    // Computed here independently, as coturn does with use-auth-secret.
    const expected = createHmac('sha1', secret).update(turn.username).digest('base64');
    expect(turn.credential).toBe(expected);
    expect(Object.keys(turn).sort()).toEqual(['credential', 'urls', 'username']);

    // A later request gets a later expiry.
    test.clock.advance(10_000);
    const later = await call(test.app, 'GET', '/api/calls/ice-servers', { token: dave.token });
    expect(later.body.iceServers[1].username).toBe(`${nowSec + 10 + ttl}:${dave.userId}`);
  });

  it('leaves the TURN entry out when there is no TURN configuration', async () => {
    const test = await createTestApp({
      http: {
        iceServers: createIceServerSource({
          stunUrls: ['stun:a.example.org', 'stuns:b.example.org'],
          turnUrls: [],
          turnSecret: null,
          ttlSec: 86_400,
        }),
      },
    });
    const user = await registerUser(test.app);
    const res = await call(test.app, 'GET', '/api/calls/ice-servers', { token: user.token });
    expect(res.body).toEqual({
      iceServers: [{ urls: ['stun:a.example.org', 'stuns:b.example.org'] }],
      ttl: 86_400,
    });
  });

  it('takes GET only', async () => {
    const res = await call(app, 'POST', '/api/calls/ice-servers', {
      token: alice.token,
      json: {},
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toMatch(/^GET\b/);
  });
});
