/**
 * Phone verification and device sessions on two server processes sharing
 * MongoDB (FerretDB here) and Redis, with `PHONE_VERIFICATION=required` and
 * the log verifier: verify → register → log in on a second device → list →
 * end the first device from the second, on the other instance → the first
 * device's next request is 401 and its socket closes 4401 within a second.
 * A password change on A ends the other device (its socket on B closes
 * 4401) and leaves the caller's session and socket alone.
 * Also: 100 wrong codes in parallel over both instances count 5.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import type { TestUser } from '../support/ws-client.js';

const cluster = useCluster({ env: { PHONE_VERIFICATION: 'required', PHONE_VERIFIER: 'log' } });
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

let sequence = 0;
const nextPhone = () =>
  `+1303${String(process.pid % 1000).padStart(3, '0')}${String(++sequence).padStart(4, '0')}`;

/** The last code instance `server` logged for `phoneNumber` (its one JSON line per code). */
async function loggedCode(server: ServerProcess, phoneNumber: string): Promise<string> {
  for (let waited = 0; waited < 3000; waited += 20) {
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"verification code"'))
      .map((line) => JSON.parse(line) as { phoneNumber: string; code: string })
      .filter((line) => line.phoneNumber === phoneNumber);
    const last = lines.at(-1);
    if (last) return last.code;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${server.name} logged no code for ${phoneNumber}`);
}

async function verify(phoneNumber: string): Promise<string> {
  const started = await callJson(a.url, 'POST', '/api/auth/verification', {
    body: { phoneNumber },
  });
  expect(started.status).toBe(201);
  const id: string = started.body.verificationId;
  // Checked on the other instance: the verification lives in the shared store.
  const checked = await callJson(b.url, 'POST', `/api/auth/verification/${id}/check`, {
    body: { code: await loggedCode(a, phoneNumber) },
  });
  expect(checked.status).toBe(200);
  expect(checked.body.verified).toBe(true);
  return id;
}

describe('verified sign-up and sessions across instances', () => {
  it('ends a device from another device on another instance: 401 and 4401 within a second', async () => {
    const phoneNumber = nextPhone();
    const password = 'correct horse battery';
    const withoutVerification = await callJson(a.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Vera', password },
    });
    expect(withoutVerification.status).toBe(403);
    expect(withoutVerification.body.error.code).toBe('VERIFICATION_REQUIRED');

    const verificationId = await verify(phoneNumber);
    const registered = await callJson(a.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Vera', password, verificationId, deviceName: 'Phone' },
    });
    expect(registered.status).toBe(201);
    const phone: TestUser = {
      userId: registered.body.userId,
      token: registered.body.token,
      sessionId: registered.body.sessionId,
      displayName: 'Vera',
    };
    const phoneSocket = await cluster.connect(phone, b);
    expect(phoneSocket.frames[0]?.payload).toMatchObject({ sessionId: phone.sessionId });

    const laptop = await callJson(b.url, 'POST', '/api/auth/login', {
      body: { phoneNumber, password, deviceName: 'Laptop' },
    });
    expect(laptop.status).toBe(200);
    const listed = await callJson(a.url, 'GET', '/api/auth/sessions', {
      token: laptop.body.token,
    });
    expect(listed.status).toBe(200);
    expect(
      listed.body.map((s: { deviceName: string; current: boolean }) => [s.deviceName, s.current]),
    ).toEqual([
      ['Laptop', true],
      ['Phone', false],
    ]);

    // The phone's session is ended on A; its socket lives on B.
    const ended = await callJson(a.url, 'DELETE', `/api/auth/sessions/${phone.sessionId}`, {
      token: laptop.body.token,
    });
    expect(ended.status).toBe(204);
    const close = await phoneSocket.waitForClose(1000);
    expect(close.code).toBe(4401);
    const refused = await callJson(b.url, 'GET', '/api/auth/sessions', { token: phone.token });
    expect(refused.status).toBe(401);
    // The laptop goes on.
    const still = await callJson(b.url, 'GET', '/api/auth/sessions', { token: laptop.body.token });
    expect(still.status).toBe(200);
    expect(still.body).toHaveLength(1);
  });

  it("changes the password on A: the other device's socket on B closes 4401, the caller's stays", async () => {
    const phoneNumber = nextPhone();
    const password = 'correct horse battery';
    const verificationId = await verify(phoneNumber);
    const registered = await callJson(a.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Pia', password, verificationId, deviceName: 'Phone' },
    });
    expect(registered.status).toBe(201);
    const phone: TestUser = {
      userId: registered.body.userId,
      token: registered.body.token,
      sessionId: registered.body.sessionId,
      displayName: 'Pia',
    };
    const login = await callJson(b.url, 'POST', '/api/auth/login', {
      body: { phoneNumber, password, deviceName: 'Laptop' },
    });
    const laptop: TestUser = { ...phone, token: login.body.token, sessionId: login.body.sessionId };
    const phoneSocket = await cluster.connect(phone, b);
    const laptopSocket = await cluster.connect(laptop, a);

    const changed = await callJson(a.url, 'POST', '/api/auth/password', {
      token: laptop.token,
      body: { currentPassword: password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ended: 1 });
    expect((await phoneSocket.waitForClose(1000)).code).toBe(4401);
    expect((await callJson(b.url, 'GET', '/api/users/me', { token: phone.token })).status).toBe(
      401,
    );
    // The caller's socket and token go on, on both instances.
    await laptopSocket.roundTrip();
    for (const server of [a, b]) {
      const me = await callJson(server.url, 'GET', '/api/users/me', { token: laptop.token });
      expect(me.status).toBe(200);
    }
    const oldLogin = await callJson(b.url, 'POST', '/api/auth/login', {
      body: { phoneNumber, password },
    });
    expect(oldLogin.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('counts 5 of 100 wrong codes sent in parallel to both instances, never a 5xx', async () => {
    const phoneNumber = nextPhone();
    const started = await callJson(a.url, 'POST', '/api/auth/verification', {
      body: { phoneNumber },
    });
    const id: string = started.body.verificationId;
    const code = await loggedCode(a, phoneNumber);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        callJson(i % 2 === 0 ? a.url : b.url, 'POST', `/api/auth/verification/${id}/check`, {
          body: { code: wrong },
        }),
      ),
    );
    expect(answers.filter((r) => r.status >= 500)).toEqual([]);
    expect(answers.filter((r) => r.body.error?.code === 'INVALID_CODE')).toHaveLength(5);
    expect(answers.filter((r) => r.body.error?.code === 'VERIFICATION_EXHAUSTED')).toHaveLength(95);
    for (const bad of ['12345', '١٢٣٤٥٦', 'abcdef', '1234567']) {
      const res = await callJson(b.url, 'POST', `/api/auth/verification/${id}/check`, {
        body: { code: bad },
      });
      expect(res.status).toBe(400);
    }
  });
});
