import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestApp,
  TEST_PASSWORD,
  type TestHttpApp,
  uniquePhoneNumber,
} from '../../../test/support/http.js';

let app: TestHttpApp;

beforeAll(async () => {
  ({ app } = await createTestApp());
});

const register = (body: Record<string, unknown>) =>
  call(app, 'POST', '/api/auth/register', {
    json: {
      phoneNumber: uniquePhoneNumber(),
      displayName: 'Someone',
      password: TEST_PASSWORD,
      ...body,
    },
  });

function expectInvalid(res: { status: number; body: { error: unknown } }, path: string) {
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual({
    code: 'VALIDATION_FAILED',
    message: expect.any(String),
    details: [{ path, message: expect.any(String) }],
  });
}

describe('POST /api/auth/register', () => {
  it('answers 201 with a session, signed in at once', async () => {
    const res = await register({
      phoneNumber: '+4917000000001',
      username: 'Alice.B_1',
      displayName: 'Alice',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      token: expect.any(String),
      sessionId: expect.any(String),
      userId: expect.stringMatching(/^[0-9a-f]{24}$/),
      username: 'Alice.B_1',
      displayName: 'Alice',
      phoneNumber: '+4917000000001',
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    const me = await call(app, 'GET', `/api/users/${res.body.userId}/profile`, {
      token: res.body.token,
    });
    expect(me.status).toBe(200);
  });

  describe('phoneNumber', () => {
    it('strips spaces, -, ., ( and ) and stores the E.164 form', async () => {
      const res = await register({ phoneNumber: ' +49 (170) 000-00.002 ' });
      expect(res.status).toBe(201);
      expect(res.body.phoneNumber).toBe('+4917000000002');
    });

    it('counts any white space as a space (tabs, no-break spaces)', async () => {
      const res = await register({ phoneNumber: '+49\u00a0170\t00000005' });
      expect(res.status).toBe(201);
      expect(res.body.phoneNumber).toBe('+4917000000005');
    });

    it('accepts + then 7 to 15 digits', async () => {
      expect((await register({ phoneNumber: '+1234567' })).status).toBe(201);
      expect((await register({ phoneNumber: '+123456789012345' })).status).toBe(201);
    });

    it.each([
      ['', 'empty'],
      ['+123456', '6 digits'],
      ['+1234567890123456', '16 digits'],
      ['+0123456789', 'a first digit 0'],
      ['4915112345678', 'no +'],
      ['+49 151 CALL ME', 'letters'],
      ['++4915112345678', 'two +'],
      ['+４９１５１１２３４５６７８', 'full-width digits'],
    ])('refuses %j (%s) with 400', async (phoneNumber) => {
      expectInvalid(await register({ phoneNumber }), 'phoneNumber');
    });

    it('answers 409 PHONE_TAKEN for a number registered in another spelling', async () => {
      expect((await register({ phoneNumber: '+4917000000003' })).status).toBe(201);
      const res = await register({ phoneNumber: '+49 170 000 000 03' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: { code: 'PHONE_TAKEN', message: expect.any(String) } });
    });

    it('is checked before the username', async () => {
      expect(
        (await register({ phoneNumber: '+4917000000004', username: 'first_one' })).status,
      ).toBe(201);
      const res = await register({ phoneNumber: '+4917000000004', username: 'first_one' });
      expect(res.body.error.code).toBe('PHONE_TAKEN');
    });
  });

  describe('username', () => {
    it('is optional: absent and null both mean none, for any number of users', async () => {
      for (const body of [{}, { username: null }, { username: null }]) {
        const res = await register(body);
        expect(res.status).toBe(201);
        expect(res.body.username).toBeNull();
      }
    });

    it('accepts 3 and 32 characters of [A-Za-z0-9_.]', async () => {
      expect((await register({ username: 'a.b' })).status).toBe(201);
      expect((await register({ username: `Z_${'9'.repeat(30)}` })).status).toBe(201);
    });

    it.each([
      ['', 'empty'],
      ['ab', 'too short'],
      ['a'.repeat(33), 'too long'],
      ['with space', 'a space'],
      ['dash-ed', 'a dash'],
      ['ümlaut', 'a non-ASCII letter'],
      ['name\n', 'a newline'],
    ])('refuses %j (%s) with 400', async (username) => {
      expectInvalid(await register({ username }), 'username');
    });

    it('refuses a non-string', async () => {
      expectInvalid(await register({ username: 42 }), 'username');
      expectInvalid(await register({ username: { $ne: null } }), 'username');
    });

    it('is unique without regard to case and stored as given (409 USERNAME_TAKEN)', async () => {
      const first = await register({ username: 'CaseKing' });
      expect(first.body.username).toBe('CaseKing');
      const res = await register({ username: 'caseking' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: { code: 'USERNAME_TAKEN', message: expect.any(String) } });
    });
  });

  describe('displayName', () => {
    it('is trimmed', async () => {
      const res = await register({ displayName: ' \t Bob Smith \n ' });
      expect(res.status).toBe(201);
      expect(res.body.displayName).toBe('Bob Smith');
    });

    it('counts code points: 64 emoji fit, 65 do not', async () => {
      expect((await register({ displayName: '😀'.repeat(64) })).status).toBe(201);
      expectInvalid(await register({ displayName: '😀'.repeat(65) }), 'displayName');
    });

    it.each([
      ['', 'empty'],
      ['   ', 'blank'],
      ['Bell\u0007', 'a control character'],
      ['Two\nLines', 'an inner newline'],
      ['Null\u0000', 'NUL'],
      ['Broken \ud800 text', 'a lone surrogate'],
    ])('refuses %j (%s) with 400', async (displayName) => {
      expectInvalid(await register({ displayName }), 'displayName');
    });

    it('is required', async () => {
      expectInvalid(
        await call(app, 'POST', '/api/auth/register', {
          json: { phoneNumber: uniquePhoneNumber(), password: TEST_PASSWORD },
        }),
        'displayName',
      );
    });
  });

  describe('password', () => {
    it('counts code points: 8 emoji are enough, 7 ASCII are not', async () => {
      expect((await register({ password: '🔑'.repeat(8) })).status).toBe(201);
      expectInvalid(await register({ password: '1234567' }), 'password');
    });

    it('allows up to 128 code points', async () => {
      expect((await register({ password: '🔑'.repeat(128) })).status).toBe(201);
      expectInvalid(await register({ password: '🔑'.repeat(129) }), 'password');
    });

    it('refuses ill-formed Unicode', async () => {
      expectInvalid(await register({ password: 'abcdefgh\udc00' }), 'password');
    });
  });

  it('reports every offending field at once', async () => {
    const res = await call(app, 'POST', '/api/auth/register', {
      json: { phoneNumber: '123', username: '', displayName: '', password: 'short' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'displayName',
      'password',
      'phoneNumber',
      'username',
    ]);
  });
});

describe('POST /api/auth/login', () => {
  const phoneNumber = '+4917000000099';

  beforeAll(async () => {
    await register({ phoneNumber, username: 'login_user', displayName: 'Login User' });
  });

  it('answers 200 with a token and the profile', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber, password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      sessionId: expect.any(String),
      userId: expect.any(String),
      username: 'login_user',
      displayName: 'Login User',
      phoneNumber,
      createdAt: '2026-03-01T12:00:00.000Z',
    });
    const count = await call(app, 'GET', '/api/keys/onetime/count', { token: res.body.token });
    expect(count.status).toBe(200);
  });

  it('normalizes the phone number as register does', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber: '+49 (170) 000-000-99', password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
  });

  it('answers a wrong password and an unknown phone alike: 401 INVALID_CREDENTIALS', async () => {
    const wrong = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber, password: 'not the password' },
    });
    const unknown = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber: '+4917000009999', password: TEST_PASSWORD },
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'INVALID_CREDENTIALS', message: 'Phone number or password is wrong.' },
      });
    }
  });

  it('answers 400 to a phone number that does not normalize', async () => {
    expectInvalid(
      await call(app, 'POST', '/api/auth/login', {
        json: { phoneNumber: 'not a phone', password: TEST_PASSWORD },
      }),
      'phoneNumber',
    );
  });

  it('answers 400 to a missing or non-string password', async () => {
    expectInvalid(
      await call(app, 'POST', '/api/auth/login', { json: { phoneNumber } }),
      'password',
    );
    expectInvalid(
      await call(app, 'POST', '/api/auth/login', { json: { phoneNumber, password: 12345678 } }),
      'password',
    );
  });
});
