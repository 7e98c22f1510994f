import { beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, TEST_PASSWORD, type TestApp } from '../../../test/support/http.js';

let t: TestApp;
let seq = 0;
const nextPhone = () => `+4917100${String(++seq).padStart(5, '0')}`;

beforeEach(async () => {
  t = await createTestApp({ deps: { phoneVerification: 'required' } });
});

async function start(phoneNumber: string, headers: Record<string, string> = {}) {
  return call(t.app, 'POST', '/api/auth/verification', { json: { phoneNumber }, headers });
}

async function verified(phoneNumber: string): Promise<string> {
  const started = await start(phoneNumber);
  const id = started.body.verificationId as string;
  const checked = await call(t.app, 'POST', `/api/auth/verification/${id}/check`, {
    json: { code: t.verifier.lastCode(phoneNumber) },
  });
  expect(checked.status).toBe(200);
  return id;
}

describe('POST /api/auth/verification', () => {
  it('answers 201 with the verification and sends a code at once', async () => {
    const phone = nextPhone();
    const res = await start(phone.replace('+49', '+49 '));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      verificationId: expect.any(String),
      phoneNumber: phone,
      transport: 'sms',
      expiresAt: '2026-03-01T12:10:00.000Z',
      nextCodeAt: '2026-03-01T12:00:30.000Z',
      attemptsLeft: 5,
      verified: false,
    });
    expect(t.verifier.lastCode(phone)).toMatch(/^[0-9]{6}$/);
  });

  it.each([
    [{ phoneNumber: '12' }, 'phoneNumber'],
    [{ phoneNumber: '+4917100000001', transport: 'fax' }, 'transport'],
    [{}, 'phoneNumber'],
  ])('refuses %j with VALIDATION_FAILED', async (json, path) => {
    const res = await call(t.app, 'POST', '/api/auth/verification', { json });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path, message: expect.any(String) }]);
  });

  it('limits codes per number with 429 and Retry-After when rate limits are on', async () => {
    t = await createTestApp({ http: { rateLimits: true } });
    const phone = nextPhone();
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await start(phone)).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    const refused = await start(phone);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('POST /api/auth/verification/:verificationId/code', () => {
  it('answers 429 RATE_LIMITED with Retry-After before nextCodeAt, then sends a new code', async () => {
    const phone = nextPhone();
    const id = (await start(phone)).body.verificationId;
    const early = await call(t.app, 'POST', `/api/auth/verification/${id}/code`, { json: {} });
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('30');
    t.clock.advance(30_000);
    const resent = await call(t.app, 'POST', `/api/auth/verification/${id}/code`, {
      json: { transport: 'voice' },
    });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({
      transport: 'voice',
      nextCodeAt: '2026-03-01T12:01:30.000Z',
    });
    expect(t.verifier.delivered.filter((d) => d.phoneNumber === phone)).toHaveLength(2);
  });

  it('answers an unknown or malformed id with 404 VERIFICATION_NOT_FOUND', async () => {
    for (const id of ['ffffffffffffffffffffffff', 'nope', '%E2%80%AE']) {
      const res = await call(t.app, 'POST', `/api/auth/verification/${id}/code`, { json: {} });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('VERIFICATION_NOT_FOUND');
    }
  });
});

describe('POST /api/auth/verification/:verificationId/check', () => {
  it('answers a wrong code 400 INVALID_CODE with attemptsLeft, the right one 200 verified', async () => {
    const phone = nextPhone();
    const id = (await start(phone)).body.verificationId;
    const code = t.verifier.lastCode(phone);
    const wrong = await call(t.app, 'POST', `/api/auth/verification/${id}/check`, {
      json: { code: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({
      error: { code: 'INVALID_CODE', message: expect.any(String), attemptsLeft: 4 },
    });
    const right = await call(t.app, 'POST', `/api/auth/verification/${id}/check`, {
      json: { code },
    });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ verified: true, attemptsLeft: 3 });
  });

  it('never answers hostile codes with a 5xx and counts at most 5 of 100 parallel wrong ones', async () => {
    const phone = nextPhone();
    const id = (await start(phone)).body.verificationId;
    const code = t.verifier.lastCode(phone);
    const hostile: unknown[] = [
      '12345',
      '1234567',
      'abcdef',
      '١٢٣٤٥٦',
      '１２３４５６',
      '12 456',
      '',
      123456,
      null,
      ['123456'],
      { $gt: '' },
      '9'.repeat(10_000),
    ];
    for (const bad of hostile) {
      const res = await call(t.app, 'POST', `/api/auth/verification/${id}/check`, {
        json: { code: bad },
      });
      expect(res.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        call(t.app, 'POST', `/api/auth/verification/${id}/check`, { json: { code: wrong } }),
      ),
    );
    expect(answers.every((a) => a.status < 500)).toBe(true);
    expect(answers.filter((a) => a.body.error?.code === 'INVALID_CODE')).toHaveLength(5);
    expect(answers.filter((a) => a.status === 410)).toHaveLength(95);
    const exhausted = answers.find((a) => a.status === 410);
    expect(exhausted?.body.error.code).toBe('VERIFICATION_EXHAUSTED');
  });

  it('answers an expired verification 410 VERIFICATION_EXPIRED', async () => {
    const phone = nextPhone();
    const id = (await start(phone)).body.verificationId;
    t.clock.advance(10 * 60_000);
    const res = await call(t.app, 'POST', `/api/auth/verification/${id}/check`, {
      json: { code: t.verifier.lastCode(phone) },
    });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('VERIFICATION_EXPIRED');
  });
});

describe('POST /api/auth/register with PHONE_VERIFICATION=required', () => {
  const body = (phoneNumber: string, verificationId?: string) => ({
    phoneNumber,
    displayName: 'Vera',
    password: TEST_PASSWORD,
    ...(verificationId === undefined ? {} : { verificationId }),
  });

  it('answers 403 VERIFICATION_REQUIRED without a verified verificationId', async () => {
    const phone = nextPhone();
    const res = await call(t.app, 'POST', '/api/auth/register', { json: body(phone) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('VERIFICATION_REQUIRED');
  });

  it('registers with one, once', async () => {
    const phone = nextPhone();
    const id = await verified(phone);
    const first = await call(t.app, 'POST', '/api/auth/register', { json: body(phone, id) });
    expect(first.status).toBe(201);
    const again = await call(t.app, 'POST', '/api/auth/register', { json: body(phone, id) });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('VERIFICATION_EXPIRED');
  });
});

describe('POST /api/auth/reset-password', () => {
  it('sets the password, answers like login and ends the other sessions', async () => {
    const phone = nextPhone();
    const id = await verified(phone);
    const registered = await call(t.app, 'POST', '/api/auth/register', {
      json: { phoneNumber: phone, displayName: 'R', password: TEST_PASSWORD, verificationId: id },
    });
    const resetId = await verified(phone);
    const reset = await call(t.app, 'POST', '/api/auth/reset-password', {
      json: { verificationId: resetId, newPassword: 'brand new password' },
      headers: { 'user-agent': 'curl/8.5.0' },
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ userId: registered.body.userId, phoneNumber: phone });
    const old = await call(t.app, 'GET', '/api/auth/sessions', { token: registered.body.token });
    expect(old.status).toBe(401);
    const mine = await call(t.app, 'GET', '/api/auth/sessions', { token: reset.body.token });
    expect(mine.body).toEqual([
      expect.objectContaining({ sessionId: reset.body.sessionId, deviceName: 'curl/8.5.0' }),
    ]);
    const login = await call(t.app, 'POST', '/api/auth/login', {
      json: { phoneNumber: phone, password: 'brand new password' },
    });
    expect(login.status).toBe(200);
  });

  it('answers 404 USER_NOT_FOUND for a verified number without an account', async () => {
    const id = await verified(nextPhone());
    const res = await call(t.app, 'POST', '/api/auth/reset-password', {
      json: { verificationId: id, newPassword: 'brand new password' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
  });
});
