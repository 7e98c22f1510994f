/**
 * Only an HS256 token signed with our key, naming a user that exists, in one
 * of the two documented header forms, is accepted (API.md §1–2). Every other
 * token is refused with `401 UNAUTHENTICATED` over HTTP, and with a `401`
 * before the upgrade on the WebSocket. Tokens here are forged by hand, so the
 * tests do not depend on the library that verifies them.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryUserRepository } from '../../adapters/memory/user-repository.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import type { UserId, UserRepository } from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_JWT_SECRET,
  type TestHttpApp,
} from '../support/http.js';
import {
  TEST_JWT_SECRET as SERVER_JWT_SECRET,
  startTestServer,
} from '../support/start-test-server.js';
import { refusedUpgrade, registerUser as registerOnServer, wsUrl } from '../support/ws-client.js';
import { expectError } from './helpers.js';

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

interface Forged {
  readonly header?: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** HMAC hash (`sha256` for HS256); null for an empty signature. */
  readonly hmac?: 'sha256' | 'sha384' | 'sha512' | null;
  readonly secret?: string;
}

/** A JWT built by hand: any header, any claims, any HMAC. */
function forge({ header, payload, hmac = 'sha256', secret = TEST_JWT_SECRET }: Forged): string {
  const signingInput = `${b64(JSON.stringify(header ?? { alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(payload))}`;
  const signature =
    hmac === null ? '' : createHmac(hmac, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** The device session each registered user's sound tokens name (`sid`). */
const sessionOf = new Map<string, string>();

/** Claims of a sound token for `userId`, in the session it registered with. */
const claims = (userId: string, overrides: Record<string, unknown> = {}) => ({
  sub: userId,
  sid: sessionOf.get(userId) ?? 'no-such-session',
  iat: now(),
  exp: now() + 3600,
  ...overrides,
});

let app: TestHttpApp;
let users: UserRepository;
let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  users = createMemoryUserRepository();
  ({ app } = await createTestApp({ deps: { users } }));
  [alice, bob] = await Promise.all([registerUser(app), registerUser(app)]);
  for (const user of [alice, bob]) sessionOf.set(user.userId, user.sessionId);
});

const countWith = (headers: Record<string, string>) =>
  call(app, 'GET', '/api/keys/onetime/count', { headers });

/** Every forged token that must be refused, by name. */
function refusedTokens(): [string, string][] {
  const a = alice.userId;
  const sound = forge({ payload: claims(a) });
  const [header, payload, signature] = sound.split('.') as [string, string, string];
  const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  return [
    [
      'alg none, no signature',
      forge({ header: { alg: 'none', typ: 'JWT' }, payload: claims(a), hmac: null }),
    ],
    [
      'alg none with a valid HS256 signature',
      forge({ header: { alg: 'none' }, payload: claims(a) }),
    ],
    ['alg "None"', forge({ header: { alg: 'None' }, payload: claims(a), hmac: null })],
    ['no alg at all', forge({ header: { typ: 'JWT' }, payload: claims(a) })],
    [
      'HS384 with our secret',
      forge({ header: { alg: 'HS384' }, payload: claims(a), hmac: 'sha384' }),
    ],
    [
      'HS512 with our secret',
      forge({ header: { alg: 'HS512' }, payload: claims(a), hmac: 'sha512' }),
    ],
    [
      'RS256 header, HMAC signature (key confusion)',
      forge({ header: { alg: 'RS256' }, payload: claims(a) }),
    ],
    ['ES256 header', forge({ header: { alg: 'ES256' }, payload: claims(a) })],
    [
      'HS256 with another secret',
      forge({ payload: claims(a), secret: 'another-secret-long-enough-for-hs256!!' }),
    ],
    [
      'payload tampered (sub changed to bob)',
      `${header}.${b64(JSON.stringify(claims(bob.userId)))}.${signature}`,
    ],
    [
      'payload tampered (exp extended)',
      `${header}.${b64(JSON.stringify(claims(a, { exp: now() + 10 ** 8 })))}.${signature}`,
    ],
    ['signature tampered', `${header}.${payload}.${flipped}`],
    ['signature stripped', `${header}.${payload}.`],
    ['signature truncated', `${header}.${payload}.${signature.slice(0, 20)}`],
    [
      'expired an hour ago',
      forge({ payload: claims(a, { iat: now() - 7200, exp: now() - 3600 }) }),
    ],
    ['expired a minute ago', forge({ payload: claims(a, { iat: now() - 3600, exp: now() - 60 }) })],
    [
      'issued ten minutes in the future',
      forge({ payload: claims(a, { iat: now() + 600, exp: now() + 4200 }) }),
    ],
    ['without exp', forge({ payload: { sub: a, iat: now() } })],
    [
      'without sid (issued before device sessions)',
      forge({ payload: claims(a, { sid: undefined }) }),
    ],
    [
      'sid of an unknown session',
      forge({ payload: claims(a, { sid: 'ffffffffffffffffffffffff' }) }),
    ],
    ["sid of another user's session", forge({ payload: claims(a, { sid: bob.sessionId }) })],
    ['without iat', forge({ payload: { sub: a, exp: now() + 3600 } })],
    ['without sub', forge({ payload: { iat: now(), exp: now() + 3600 } })],
    ['exp as a string', forge({ payload: claims(a, { exp: String(now() + 3600) }) })],
    ['sub as a number', forge({ payload: claims(a, { sub: 42 }) })],
    ['sub as a query operator', forge({ payload: claims(a, { sub: { $ne: null } }) })],
    ['sub of a user that never existed', forge({ payload: claims('ffffffffffffffffffffffff') })],
    ['two segments only', `${header}.${payload}`],
    ['garbage', 'not-a-token'],
    ['JSON instead of a JWT', JSON.stringify(claims(a))],
  ];
}

describe('HTTP: only HS256 with our key is accepted', () => {
  it('accepts a hand-forged sound token (the forging itself is right)', async () => {
    const res = await countWith({ 'x-auth-token': forge({ payload: claims(alice.userId) }) });
    expect(res.status).toBe(200);
  });

  it('refuses every other token, in both header forms', async () => {
    for (const [name, token] of refusedTokens()) {
      const forms: Record<string, string>[] = [
        { 'x-auth-token': token },
        { authorization: `Bearer ${token}` },
      ];
      for (const headers of forms) {
        const res = await countWith(headers);
        expect(res.status, `${name} via ${Object.keys(headers)[0]}`).toBe(401);
        expectError(res, 'UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it('refuses the token of a deleted user, on every route family', async () => {
    const carol = await registerUser(app);
    expect((await countWith({ 'x-auth-token': carol.token })).status).toBe(200);
    await users.delete(carol.userId as UserId, new Date());
    for (const [method, path] of [
      ['GET', '/api/keys/onetime/count'],
      ['GET', '/api/chat/conversations'],
      ['GET', `/api/users/${alice.userId}/profile`],
      ['GET', '/api/calls'],
    ] as const) {
      const res = await call(app, method, path, { token: carol.token });
      expectError(res, 'UNAUTHENTICATED');
    }
  });
});

describe('HTTP: the token only in the documented header forms', () => {
  it('accepts x-auth-token and Authorization: Bearer, the scheme in any case (auth.ts)', async () => {
    const accepted: Record<string, string>[] = [
      { 'x-auth-token': alice.token },
      { authorization: `Bearer ${alice.token}` },
      { authorization: `bearer ${alice.token}` },
      { authorization: `BEARER ${alice.token}` },
    ];
    for (const headers of accepted) {
      expect((await countWith(headers)).status, JSON.stringify(Object.keys(headers))).toBe(200);
    }
  });

  it('refuses every other form, even holding a valid token', async () => {
    const t = alice.token;
    const forms: [string, Record<string, string>][] = [
      ['Authorization: Token', { authorization: `Token ${t}` }],
      ['Authorization: JWT', { authorization: `JWT ${t}` }],
      ['Authorization: Basic', { authorization: `Basic ${t}` }],
      ['Authorization: bare token', { authorization: t }],
      ['Authorization: Bearer twice', { authorization: `Bearer Bearer ${t}` }],
      ['two Bearer credentials', { authorization: `Bearer ${t}, Bearer ${t}` }],
      ['Bearer with the token split', { authorization: `Bearer ${t.slice(0, 10)} ${t.slice(10)}` }],
      ['Bearer without a token', { authorization: 'Bearer' }],
      ['x-auth-token with a Bearer prefix', { 'x-auth-token': `Bearer ${t}` }],
      ['empty x-auth-token', { 'x-auth-token': '' }],
      ['valid x-auth-token, bad Authorization', { 'x-auth-token': t, authorization: `Token ${t}` }],
      ['tokens of two users', { 'x-auth-token': t, authorization: `Bearer ${bob.token}` }],
      ['token in a cookie', { cookie: `token=${t}` }],
      ['token in another header', { 'x-access-token': t }],
    ];
    for (const [name, headers] of forms) {
      const res = await countWith(headers);
      expect(res.status, name).toBe(401);
      expectError(res, 'UNAUTHENTICATED');
    }
  });

  it('refuses a token in the query string of an HTTP route', async () => {
    const res = await call(app, 'GET', `/api/keys/onetime/count?token=${alice.token}`);
    expectError(res, 'UNAUTHENTICATED');
  });
});

describe('WebSocket: the upgrade refuses the same tokens with 401', () => {
  let server: RunningServer;
  let forgeFor: (payload: Record<string, unknown>, extra?: Partial<Forged>) => string;
  let userId: string;

  beforeAll(async () => {
    server = await startTestServer();
    const registered = await registerOnServer(server.url, 'Alice');
    userId = registered.userId;
    sessionOf.set(userId, registered.sessionId);
    forgeFor = (payload, extra = {}) => forge({ secret: SERVER_JWT_SECRET, ...extra, payload });
  });
  afterAll(() => server.close());

  it('refuses alg none, another alg, tampering, expiry, future iat and unknown users', async () => {
    const sound = forgeFor(claims(userId));
    const [header, , signature] = sound.split('.') as [string, string, string];
    const tokens: [string, string][] = [
      ['alg none', forgeFor(claims(userId), { header: { alg: 'none' }, hmac: null })],
      ['HS512', forgeFor(claims(userId), { header: { alg: 'HS512' }, hmac: 'sha512' })],
      ['another secret', forge({ payload: claims(userId), secret: 'x'.repeat(40) })],
      [
        'tampered payload',
        `${header}.${b64(JSON.stringify(claims(userId, { exp: now() + 10 ** 8 })))}.${signature}`,
      ],
      ['expired', forgeFor(claims(userId, { iat: now() - 7200, exp: now() - 3600 }))],
      ['issued in the future', forgeFor(claims(userId, { iat: now() + 600, exp: now() + 4200 }))],
      ['unknown user', forgeFor(claims('ffffffffffffffffffffffff'))],
      ['garbage', 'garbage'],
    ];
    // The control: the sound token opens a socket (refusedUpgrade rejects when it opens).
    await expect(refusedUpgrade(wsUrl(server.url, '/', sound))).rejects.toThrow(/accepted/);
    for (const [name, token] of tokens) {
      const refused = await refusedUpgrade(wsUrl(server.url, '/', token));
      expect(refused.status, name).toBe(401);
      expect(refused.headers['x-request-id'], name).toMatch(/^[0-9a-f-]{36}$/);
      expect(refused.body).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
    }
  });
});
