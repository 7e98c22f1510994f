/**
 * Every HTTP rate limit of SECURITY.md, with the limits on: what is counted,
 * per which key, that the answer over the limit is `429 RATE_LIMITED` with
 * `Retry-After`, and that `RATE_LIMITS=off` counts nothing.
 */
import { describe, expect, it } from 'vitest';
import { createRateLimiters, DEFAULT_RATE_LIMIT_RULES } from '../../adapters/http/rate-limiters.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_PASSWORD,
  type TestApp,
  uniquePhoneNumber,
} from '../support/http.js';
import {
  bundleWith,
  callFrom,
  createLimitedApp,
  expectError,
  expectRateLimited,
  UNLIMITED,
} from './helpers.js';

const MINUTES_15 = 15 * 60;
const HOUR = 3600;

function registerBody() {
  return { phoneNumber: uniquePhoneNumber(), displayName: 'Someone', password: TEST_PASSWORD };
}

async function users(app: TestApp['app'], count: number): Promise<RegisteredUser[]> {
  return Promise.all(Array.from({ length: count }, () => registerUser(app)));
}

describe('login', () => {
  it('per phone number: the 4th attempt on one number is refused, from any address and with the right password', async () => {
    const { app } = await createLimitedApp({
      loginPerPhone: { points: 3, durationSec: MINUTES_15 },
    });
    const [alice, bob] = await users(app, 2);
    for (const [i, spelling] of [
      alice!.phoneNumber,
      `${alice!.phoneNumber.slice(0, 2)} ${alice!.phoneNumber.slice(2)}`,
      alice!.phoneNumber,
    ].entries()) {
      const res = await callFrom(app, `198.51.100.${i + 1}`, 'POST', '/api/auth/login', {
        json: { phoneNumber: spelling, password: 'wrong password' },
      });
      expectError(res, 'INVALID_CREDENTIALS');
    }
    const refused = await callFrom(app, '198.51.100.9', 'POST', '/api/auth/login', {
      json: { phoneNumber: alice!.phoneNumber, password: TEST_PASSWORD },
    });
    expectRateLimited(refused, MINUTES_15);
    // Another account is not affected.
    const other = await callFrom(app, '198.51.100.9', 'POST', '/api/auth/login', {
      json: { phoneNumber: bob!.phoneNumber, password: TEST_PASSWORD },
    });
    expect(other.status).toBe(200);
  });

  it('per phone number: unknown numbers are counted like known ones', async () => {
    const { app } = await createLimitedApp({
      loginPerPhone: { points: 2, durationSec: MINUTES_15 },
    });
    const phoneNumber = uniquePhoneNumber();
    for (let i = 0; i < 2; i++) {
      const res = await call(app, 'POST', '/api/auth/login', {
        json: { phoneNumber, password: TEST_PASSWORD },
      });
      expectError(res, 'INVALID_CREDENTIALS');
    }
    const res = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber, password: TEST_PASSWORD },
    });
    expectRateLimited(res, MINUTES_15);
  });

  it('per IP: the 4th attempt from one address is refused whatever the number, before the body is read', async () => {
    const { app } = await createLimitedApp({ loginPerIp: { points: 3, durationSec: MINUTES_15 } });
    const [alice] = await users(app, 1);
    for (let i = 0; i < 3; i++) {
      const res = await callFrom(app, '203.0.113.7', 'POST', '/api/auth/login', {
        json: { phoneNumber: uniquePhoneNumber(), password: 'guess' },
      });
      expectError(res, 'INVALID_CREDENTIALS');
    }
    for (const options of [
      { json: { phoneNumber: alice!.phoneNumber, password: TEST_PASSWORD } },
      { raw: 'not json', headers: { 'content-type': 'application/json' } },
      { raw: 'x', headers: { 'content-type': 'text/plain' } },
    ]) {
      expectRateLimited(
        await callFrom(app, '203.0.113.7', 'POST', '/api/auth/login', options),
        MINUTES_15,
      );
    }
    const elsewhere = await callFrom(app, '203.0.113.8', 'POST', '/api/auth/login', {
      json: { phoneNumber: alice!.phoneNumber, password: TEST_PASSWORD },
    });
    expect(elsewhere.status).toBe(200);
  });

  it('per IP: every address of one IPv6 /64 shares a count', async () => {
    const { app } = await createLimitedApp({ loginPerIp: { points: 2, durationSec: MINUTES_15 } });
    const body = { json: { phoneNumber: uniquePhoneNumber(), password: 'guess' } };
    await callFrom(app, '2001:db8:1:2::1', 'POST', '/api/auth/login', body);
    await callFrom(app, '2001:db8:1:2:ffff::7', 'POST', '/api/auth/login', body);
    expectRateLimited(
      await callFrom(app, '2001:db8:1:2:abcd:1234:5678:9abc', 'POST', '/api/auth/login', body),
      MINUTES_15,
    );
    const otherPrefix = await callFrom(app, '2001:db8:1:3::1', 'POST', '/api/auth/login', body);
    expectError(otherPrefix, 'INVALID_CREDENTIALS');
  });
});

describe('password change', () => {
  const change = (currentPassword: string) => ({
    json: { currentPassword, newPassword: 'another horse battery' },
  });

  it("shares the account's login budget: wrong current passwords and logins count together", async () => {
    const { app } = await createLimitedApp({
      loginPerPhone: { points: 3, durationSec: MINUTES_15 },
    });
    const [alice, bob] = await users(app, 2);
    for (let i = 0; i < 2; i++) {
      const res = await callFrom(app, `198.51.100.${i + 1}`, 'POST', '/api/auth/password', {
        ...change('wrong password'),
        token: alice!.token,
      });
      expectError(res, 'INVALID_CREDENTIALS');
    }
    expectError(
      await callFrom(app, '198.51.100.5', 'POST', '/api/auth/login', {
        json: { phoneNumber: alice!.phoneNumber, password: 'wrong password' },
      }),
      'INVALID_CREDENTIALS',
    );
    expectRateLimited(
      await callFrom(app, '198.51.100.6', 'POST', '/api/auth/password', {
        ...change(TEST_PASSWORD),
        token: alice!.token,
      }),
      MINUTES_15,
    );
    const other = await callFrom(app, '198.51.100.6', 'POST', '/api/auth/password', {
      ...change(TEST_PASSWORD),
      token: bob!.token,
    });
    expect(other.status).toBe(200);
  });

  it('per IP: one budget with login, spent before the body is read', async () => {
    const { app } = await createLimitedApp({ loginPerIp: { points: 2, durationSec: MINUTES_15 } });
    const [alice] = await users(app, 1);
    await callFrom(app, '203.0.113.7', 'POST', '/api/auth/login', {
      json: { phoneNumber: uniquePhoneNumber(), password: 'guess' },
    });
    expectError(
      await callFrom(app, '203.0.113.7', 'POST', '/api/auth/password', {
        ...change('wrong password'),
        token: alice!.token,
      }),
      'INVALID_CREDENTIALS',
    );
    expectRateLimited(
      await callFrom(app, '203.0.113.7', 'POST', '/api/auth/password', {
        raw: 'not json',
        headers: { 'content-type': 'application/json' },
        token: alice!.token,
      }),
      MINUTES_15,
    );
  });
});

describe('register', () => {
  it('per IP: the 3rd registration from one address is refused; another address still registers', async () => {
    const { app } = await createLimitedApp({ registerPerIp: { points: 2, durationSec: HOUR } });
    for (let i = 0; i < 2; i++) {
      const res = await callFrom(app, '203.0.113.7', 'POST', '/api/auth/register', {
        json: registerBody(),
      });
      expect(res.status).toBe(201);
    }
    // Refused whatever the body: failed attempts (409 PHONE_TAKEN probes) count too.
    expectRateLimited(
      await callFrom(app, '203.0.113.7', 'POST', '/api/auth/register', { json: registerBody() }),
      HOUR,
    );
    expectRateLimited(
      await callFrom(app, '203.0.113.7', 'POST', '/api/auth/register', { json: {} }),
      HOUR,
    );
    const elsewhere = await callFrom(app, '203.0.113.8', 'POST', '/api/auth/register', {
      json: registerBody(),
    });
    expect(elsewhere.status).toBe(201);
  });

  it('counts failed registrations too (phone-number probing through 409 PHONE_TAKEN)', async () => {
    const { app } = await createLimitedApp({ registerPerIp: { points: 2, durationSec: HOUR } });
    const taken = registerBody();
    expect(
      (await callFrom(app, '203.0.113.9', 'POST', '/api/auth/register', { json: taken })).status,
    ).toBe(201);
    expectError(
      await callFrom(app, '203.0.113.9', 'POST', '/api/auth/register', { json: taken }),
      'PHONE_TAKEN',
    );
    expectRateLimited(
      await callFrom(app, '203.0.113.9', 'POST', '/api/auth/register', { json: taken }),
      HOUR,
    );
  });
});

describe('bundle fetch', () => {
  async function publish(app: TestApp['app'], user: RegisteredUser, keys: number) {
    const res = await call(app, 'POST', '/api/keys/publish', {
      token: user.token,
      json: bundleWith(keys),
    });
    expect(res.status).toBe(200);
  }
  const fetchBundle = (app: TestApp['app'], requester: RegisteredUser, target: string) =>
    call(app, 'GET', `/api/keys/${target}/bundle`, { token: requester.token });
  const poolOf = async (app: TestApp['app'], owner: RegisteredUser) =>
    (await call(app, 'GET', '/api/keys/onetime/count', { token: owner.token })).body;

  it('per pair, with the default rules: 6 fetches, then 429 — the pool loses exactly 6 keys', async () => {
    const { app } = await createLimitedApp(DEFAULT_RATE_LIMIT_RULES);
    const [alice, bob, carol] = await users(app, 3);
    await publish(app, bob!, 20);
    await publish(app, carol!, 20);
    for (let i = 0; i < 6; i++) {
      const res = await fetchBundle(app, alice!, bob!.userId);
      expect(res.status).toBe(200);
      expect(res.body.oneTimePreKey.keyId).toBe(i + 1);
    }
    expectRateLimited(await fetchBundle(app, alice!, bob!.userId), HOUR);
    expect(await poolOf(app, bob!)).toEqual({ count: 14, kyberCount: 14 });
    // Other pairs keep their own budgets.
    expect((await fetchBundle(app, alice!, carol!.userId)).status).toBe(200);
    expect((await fetchBundle(app, carol!, bob!.userId)).status).toBe(200);
  });

  it('per target: a crowd of requesters cannot drain one pool', async () => {
    const { app } = await createLimitedApp({ bundlePerTarget: { points: 3, durationSec: HOUR } });
    const [bob, ...crowd] = await users(app, 6);
    await publish(app, bob!, 50);
    const statuses: number[] = [];
    for (const requester of crowd) {
      statuses.push((await fetchBundle(app, requester, bob!.userId)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expectRateLimited(await fetchBundle(app, crowd[0]!, bob!.userId), HOUR);
    expect(await poolOf(app, bob!)).toEqual({ count: 47, kyberCount: 47 });
  });

  it('per requester: one account cannot sweep many pools', async () => {
    const { app } = await createLimitedApp({
      bundlePerRequester: { points: 2, durationSec: HOUR },
    });
    const [alice, ...targets] = await users(app, 4);
    for (const target of targets) await publish(app, target, 5);
    expect((await fetchBundle(app, alice!, targets[0]!.userId)).status).toBe(200);
    expect((await fetchBundle(app, alice!, targets[1]!.userId)).status).toBe(200);
    expectRateLimited(await fetchBundle(app, alice!, targets[2]!.userId), HOUR);
    expect(await poolOf(app, targets[2]!)).toEqual({ count: 5, kyberCount: 5 });
  });

  it('fetches refused per pair do not spend the target budget', async () => {
    const { app } = await createLimitedApp({
      bundlePerPair: { points: 1, durationSec: HOUR },
      bundlePerTarget: { points: 2, durationSec: HOUR },
    });
    const [alice, bob, carol] = await users(app, 3);
    await publish(app, bob!, 5);
    expect((await fetchBundle(app, alice!, bob!.userId)).status).toBe(200);
    for (let i = 0; i < 5; i++)
      expectRateLimited(await fetchBundle(app, alice!, bob!.userId), HOUR);
    expect((await fetchBundle(app, carol!, bob!.userId)).status).toBe(200);
  });

  it('counts fetches of unknown and malformed ids (no free probing)', async () => {
    const { app } = await createLimitedApp({
      bundlePerRequester: { points: 2, durationSec: HOUR },
    });
    const [alice] = await users(app, 1);
    expectError(await fetchBundle(app, alice!, 'ffffffffffffffffffffffff'), 'BUNDLE_NOT_FOUND');
    expectError(await fetchBundle(app, alice!, 'not-an-id'), 'BUNDLE_NOT_FOUND');
    expectRateLimited(await fetchBundle(app, alice!, 'another'), HOUR);
  });
});

describe('message send', () => {
  it('per user: the 4th send is refused before the body is read; others still send', async () => {
    const { app } = await createLimitedApp({ sendPerUser: { points: 3, durationSec: 300 } });
    const [alice, bob] = await users(app, 2);
    const send = (from: RegisteredUser, json: unknown) =>
      call(app, 'POST', '/api/chat/send', { token: from.token, json });
    for (let i = 0; i < 3; i++) {
      expect((await send(alice!, { receiverId: bob!.userId, content: `hi ${i}` })).status).toBe(
        201,
      );
    }
    expectRateLimited(await send(alice!, { receiverId: bob!.userId, content: 'one more' }), 300);
    expectRateLimited(await send(alice!, { nonsense: true }), 300);
    expect((await send(bob!, { receiverId: alice!.userId, content: 'hello' })).status).toBe(201);
  });
});

describe('lookup', () => {
  it('per user, counted in phone numbers looked up', async () => {
    const { app } = await createLimitedApp({ lookupPerUser: { points: 10, durationSec: 86_400 } });
    const [alice, bob] = await users(app, 2);
    const lookup = (user: RegisteredUser, count: number) =>
      call(app, 'POST', '/api/users/lookup', {
        token: user.token,
        json: { phoneNumbers: Array.from({ length: count }, () => uniquePhoneNumber()) },
      });
    expect((await lookup(alice!, 6)).status).toBe(200);
    expectRateLimited(await lookup(alice!, 5), 86_400);
    expect((await lookup(bob!, 10)).status).toBe(200);
    expectRateLimited(await lookup(bob!, 1), 86_400);
  });
});

describe('RATE_LIMITS=off', () => {
  it('counts nothing, even with limiters of one point each', async () => {
    const tiny = Object.fromEntries(
      Object.keys(UNLIMITED).map((name) => [name, { points: 1, durationSec: HOUR }]),
    );
    const { app } = await createTestApp({
      http: { rateLimits: false, rateLimiters: createRateLimiters({ rules: tiny }) },
    });
    const [alice, bob] = await users(app, 2);
    await call(app, 'POST', '/api/keys/publish', { token: bob!.token, json: bundleWith(5) });
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await call(app, 'POST', '/api/auth/login', {
            json: { phoneNumber: alice!.phoneNumber, password: TEST_PASSWORD },
          })
        ).status,
      ).toBe(200);
      expect(
        (await call(app, 'GET', `/api/keys/${bob!.userId}/bundle`, { token: alice!.token })).status,
      ).toBe(200);
      expect(
        (
          await call(app, 'POST', '/api/chat/send', {
            token: alice!.token,
            json: { receiverId: bob!.userId, content: 'x' },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call(app, 'POST', '/api/users/lookup', {
            token: alice!.token,
            json: { phoneNumbers: [bob!.phoneNumber] },
          })
        ).status,
      ).toBe(200);
    }
    expect((await call(app, 'POST', '/api/auth/register', { json: registerBody() })).status).toBe(
      201,
    );
  });
});

describe('TRUST_PROXY', () => {
  const viaProxy = (app: TestApp['app'], forwardedFor: string) =>
    callFrom(app, '10.0.0.1', 'POST', '/api/auth/register', {
      json: registerBody(),
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('0 (default): X-Forwarded-For is ignored, so a client cannot pick a fresh address', async () => {
    const { app } = await createLimitedApp({ registerPerIp: { points: 1, durationSec: HOUR } });
    expect((await viaProxy(app, '198.51.100.1')).status).toBe(201);
    expectRateLimited(await viaProxy(app, '198.51.100.2'), HOUR);
  });

  it('1: the address our proxy appended is the client; what the client wrote before it is not', async () => {
    const { app } = await createLimitedApp(
      { registerPerIp: { points: 1, durationSec: HOUR } },
      { http: { trustProxy: 1 } },
    );
    expect((await viaProxy(app, '198.51.100.1')).status).toBe(201);
    expect((await viaProxy(app, '198.51.100.2')).status).toBe(201);
    expectRateLimited(await viaProxy(app, '198.51.100.1'), HOUR);
    // A spoofed left part changes nothing: the proxy's entry is still the last one.
    expectRateLimited(await viaProxy(app, '6.6.6.6, 198.51.100.2'), HOUR);
  });
});
