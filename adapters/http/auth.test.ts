import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionId, UserId } from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_JWT_SECRET,
  type TestHttpApp,
  UNKNOWN_ID,
} from '../../test/support/http.js';
import { createJoseTokenService } from '../crypto/jose-token-service.js';
import { createFixedClock } from '../memory/clock.js';
import type { HttpDeps } from './env.js';

let app: TestHttpApp;
let deps: HttpDeps;
let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  ({ app, deps } = await createTestApp());
  [alice, bob] = await Promise.all([registerUser(app), registerUser(app)]);
});

const AUTHENTICATED_ROUTES: readonly (readonly [string, string])[] = [
  ['GET', `/api/users/${UNKNOWN_ID}/profile`],
  ['GET', '/api/users/by-username/someone'],
  ['POST', '/api/users/presence'],
  ['POST', '/api/users/lookup'],
  ['POST', '/api/chat/send'],
  ['GET', '/api/chat/conversations'],
  ['GET', `/api/chat/messages/${UNKNOWN_ID}`],
  ['POST', '/api/keys/publish'],
  ['GET', `/api/keys/${UNKNOWN_ID}/bundle`],
  ['GET', '/api/keys/onetime/count'],
  ['POST', '/api/keys/onetime/replenish'],
  ['GET', '/api/calls'],
  ['GET', '/api/calls/ice-servers'],
];

/** A token signed with our secret by a service whose clock is `offsetMs` away from now. */
async function tokenAt(user: RegisteredUser, offsetMs: number, ttlSec = 3600): Promise<string> {
  const clock = createFixedClock(new Date(Date.now() + offsetMs));
  const service = await createJoseTokenService({ secret: TEST_JWT_SECRET, ttlSec, clock });
  return (await service.issue(user.userId as UserId, user.sessionId as SessionId)).token;
}

function expectUnauthenticated(res: { status: number; headers: Headers; body: unknown }) {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
}

describe('every authenticated route', () => {
  it.each(AUTHENTICATED_ROUTES)('%s %s answers 401 without a token', async (method, path) => {
    expectUnauthenticated(await call(app, method, path, method === 'POST' ? { json: {} } : {}));
  });

  it.each(AUTHENTICATED_ROUTES)('%s %s answers 401 to a garbage token', async (method, path) => {
    const headers = { authorization: 'Bearer not.a.jwt' };
    expectUnauthenticated(
      await call(app, method, path, method === 'POST' ? { json: {}, headers } : { headers }),
    );
  });
});

describe('token headers', () => {
  const count = (headers: Record<string, string>) =>
    call(app, 'GET', '/api/keys/onetime/count', { headers });

  it('accepts x-auth-token', async () => {
    const res = await count({ 'x-auth-token': alice.token });
    expect(res.status).toBe(200);
  });

  it('accepts Authorization: Bearer with the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await count({ authorization: `${scheme} ${alice.token}` });
      expect(res.status, scheme).toBe(200);
    }
  });

  it('refuses other Authorization schemes and a Bearer without a token', async () => {
    for (const value of [`Basic ${alice.token}`, 'Bearer', 'Bearer ', alice.token]) {
      expectUnauthenticated(await count({ authorization: value }));
    }
  });

  it('refuses an empty x-auth-token', async () => {
    expectUnauthenticated(await count({ 'x-auth-token': '' }));
  });

  it('accepts both headers when they name the same user', async () => {
    const older = await tokenAt(alice, -60_000);
    expect(older).not.toBe(alice.token);
    const same = await count({
      'x-auth-token': alice.token,
      authorization: `Bearer ${alice.token}`,
    });
    expect(same.status).toBe(200);
    const two = await count({ 'x-auth-token': alice.token, authorization: `Bearer ${older}` });
    expect(two.status).toBe(200);
  });

  it('refuses both headers when they name different users', async () => {
    expectUnauthenticated(
      await count({ 'x-auth-token': alice.token, authorization: `Bearer ${bob.token}` }),
    );
  });

  it('refuses both headers when either one is bad', async () => {
    expectUnauthenticated(
      await count({ 'x-auth-token': alice.token, authorization: 'Bearer garbage' }),
    );
    expectUnauthenticated(
      await count({ 'x-auth-token': 'garbage', authorization: `Bearer ${alice.token}` }),
    );
  });

  it('refuses an expired token and one issued in the future', async () => {
    expectUnauthenticated(await count({ 'x-auth-token': await tokenAt(alice, -7_200_000) }));
    expectUnauthenticated(await count({ 'x-auth-token': await tokenAt(alice, 600_000) }));
  });

  it('refuses a token signed with another secret', async () => {
    const service = await createJoseTokenService({
      secret: 'another-secret-of-enough-length',
      ttlSec: 60,
    });
    const { token } = await service.issue(alice.userId as UserId, alice.sessionId as SessionId);
    expectUnauthenticated(await count({ 'x-auth-token': token }));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: alice.userId, iat: now, exp: now + 60 })}.`;
    expectUnauthenticated(await count({ 'x-auth-token': token }));
  });

  it('refuses a valid token whose user does not exist', async () => {
    const { token } = await deps.tokens.issue(UNKNOWN_ID as UserId, alice.sessionId as SessionId);
    expectUnauthenticated(await count({ 'x-auth-token': token }));
  });
});
