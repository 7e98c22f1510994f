import { beforeEach, describe, expect, it } from 'vitest';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_PASSWORD,
  type TestApp,
} from '../../../test/support/http.js';

let t: TestApp;
let alice: RegisteredUser;

beforeEach(async () => {
  t = await createTestApp();
  alice = await registerUser(t.app);
});

async function secondDevice(deviceName?: string) {
  const res = await call(t.app, 'POST', '/api/auth/login', {
    json: { phoneNumber: alice.phoneNumber, password: TEST_PASSWORD, deviceName },
    headers: { 'user-agent': 'MyCalls-Android/2.1' },
  });
  expect(res.status).toBe(200);
  return res.body as { token: string; sessionId: string };
}

describe('GET /api/auth/sessions', () => {
  it("lists the caller's sessions newest first, the current one marked", async () => {
    t.clock.advance(1000);
    const laptop = await secondDevice('Laptop');
    const res = await call(t.app, 'GET', '/api/auth/sessions', { token: laptop.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        sessionId: laptop.sessionId,
        deviceName: 'Laptop',
        createdAt: '2026-03-01T12:00:01.000Z',
        lastSeenAt: '2026-03-01T12:00:01.000Z',
        // The shared token service runs on the real clock.
        expiresAt: expect.any(String),
        current: true,
      },
      expect.objectContaining({ sessionId: alice.sessionId, current: false }),
    ]);
  });

  it('names a session by User-Agent when the body gives no deviceName', async () => {
    const phone = await secondDevice();
    const res = await call(t.app, 'GET', '/api/auth/sessions', { token: phone.token });
    // Both sessions began in the same millisecond: find this one by its id (ids carry no order).
    const mine = (res.body as { sessionId: string; deviceName: string }[]).find(
      (session) => session.sessionId === phone.sessionId,
    );
    expect(mine?.deviceName).toBe('MyCalls-Android/2.1');
  });
});

describe('ending sessions', () => {
  it('DELETE /sessions/:sessionId ends another device: its token is refused at once', async () => {
    const phone = await secondDevice();
    const ended: string[] = [];
    t.sessionEvents.onEnded((s) => ended.push(...s.map((e) => e.sessionId)));
    const res = await call(t.app, 'DELETE', `/api/auth/sessions/${alice.sessionId}`, {
      token: phone.token,
    });
    expect(res.status).toBe(204);
    expect(ended).toEqual([alice.sessionId]);
    const refused = await call(t.app, 'GET', '/api/auth/sessions', { token: alice.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
  });

  it("answers 404 SESSION_NOT_FOUND for another user's, unknown and malformed ids", async () => {
    const bob = await registerUser(t.app);
    for (const id of [bob.sessionId, 'ffffffffffffffffffffffff', 'nope']) {
      const res = await call(t.app, 'DELETE', `/api/auth/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
    }
    expect((await call(t.app, 'GET', '/api/auth/sessions', { token: bob.token })).status).toBe(200);
  });

  it('DELETE /sessions ends all but the current one', async () => {
    const phone = await secondDevice();
    const tablet = await secondDevice();
    const res = await call(t.app, 'DELETE', '/api/auth/sessions', { token: phone.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    for (const token of [alice.token, tablet.token]) {
      expect((await call(t.app, 'GET', '/api/auth/sessions', { token })).status).toBe(401);
    }
    expect((await call(t.app, 'GET', '/api/auth/sessions', { token: phone.token })).status).toBe(
      200,
    );
  });

  it('POST /logout ends the current session only', async () => {
    const phone = await secondDevice();
    const res = await call(t.app, 'POST', '/api/auth/logout', { token: phone.token });
    expect(res.status).toBe(204);
    expect((await call(t.app, 'GET', '/api/auth/sessions', { token: phone.token })).status).toBe(
      401,
    );
    expect((await call(t.app, 'GET', '/api/auth/sessions', { token: alice.token })).status).toBe(
      200,
    );
  });

  it('needs a token', async () => {
    for (const [method, path] of [
      ['GET', '/api/auth/sessions'],
      ['DELETE', '/api/auth/sessions'],
      ['DELETE', `/api/auth/sessions/${alice.sessionId}`],
      ['POST', '/api/auth/logout'],
      ['POST', '/api/auth/password'],
    ] as const) {
      expect((await call(t.app, method, path)).status).toBe(401);
    }
  });
});

describe('POST /api/auth/password', () => {
  const NEW_PASSWORD = 'another horse battery';

  it('changes the password and ends every other session; the caller keeps theirs', async () => {
    const phone = await secondDevice();
    const tablet = await secondDevice();
    const ended: string[] = [];
    t.sessionEvents.onEnded((s) => ended.push(...s.map((e) => e.sessionId)));
    const res = await call(t.app, 'POST', '/api/auth/password', {
      token: phone.token,
      json: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    expect(new Set(ended)).toEqual(new Set([alice.sessionId, tablet.sessionId]));
    for (const token of [alice.token, tablet.token]) {
      expect((await call(t.app, 'GET', '/api/users/me', { token })).status).toBe(401);
    }
    expect((await call(t.app, 'GET', '/api/users/me', { token: phone.token })).status).toBe(200);
    const oldLogin = await call(t.app, 'POST', '/api/auth/login', {
      json: { phoneNumber: alice.phoneNumber, password: TEST_PASSWORD },
    });
    expect(oldLogin.body.error.code).toBe('INVALID_CREDENTIALS');
    const newLogin = await call(t.app, 'POST', '/api/auth/login', {
      json: { phoneNumber: alice.phoneNumber, password: NEW_PASSWORD },
    });
    expect(newLogin.status).toBe(200);
  });

  it('answers a wrong current password 401 INVALID_CREDENTIALS, as login does, and ends nothing', async () => {
    const phone = await secondDevice();
    const res = await call(t.app, 'POST', '/api/auth/password', {
      token: phone.token,
      json: { currentPassword: 'not the password', newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await call(t.app, 'GET', '/api/users/me', { token: alice.token })).status).toBe(200);
  });

  it('refuses a new password sign-up would refuse, at its field', async () => {
    for (const newPassword of ['short', 'x'.repeat(129), 12345678, null]) {
      const res = await call(t.app, 'POST', '/api/auth/password', {
        token: alice.token,
        json: { currentPassword: TEST_PASSWORD, newPassword },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword' })]);
    }
    const missing = await call(t.app, 'POST', '/api/auth/password', {
      token: alice.token,
      json: { newPassword: NEW_PASSWORD },
    });
    expect(missing.body.error.details).toEqual([
      expect.objectContaining({ path: 'currentPassword' }),
    ]);
  });
});
