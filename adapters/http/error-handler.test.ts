import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ErrorCode,
  RateLimitedError,
  ServiceUnavailableError,
  type UserRepository,
} from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
} from '../../test/support/http.js';
import { STATUS_BY_CODE } from '../wire/errors.js';

let app: TestHttpApp;
let alice: RegisteredUser;

beforeAll(async () => {
  ({ app } = await createTestApp());
  alice = await registerUser(app);
});

/** An app whose user store fails every phone lookup with `error`. */
async function appFailingWith(error: unknown) {
  const logged: { message: string; error: unknown }[] = [];
  const { deps } = await createTestApp();
  const users: UserRepository = {
    ...deps.users,
    findByPhoneNumber: async () => {
      throw error;
    },
  };
  const { app: broken } = await createTestApp({
    deps: { ...deps, users },
    http: { logger: { error: (message, cause) => logged.push({ message, error: cause }) } },
  });
  const login = () =>
    call(broken, 'POST', '/api/auth/login', {
      json: { phoneNumber: '+15550001111', password: 'whatever-it-is' },
      headers: { 'x-request-id': 'req-123' },
    });
  return { login, logged };
}

describe('status of each error code', () => {
  it('follows the table of API.md §1', () => {
    const table: Record<number, ErrorCode[]> = {
      400: ['VALIDATION_FAILED', 'INVALID_JSON', 'INVALID_SIGNATURE'],
      401: ['UNAUTHENTICATED', 'INVALID_CREDENTIALS'],
      403: ['FORBIDDEN'],
      404: ['NOT_FOUND', 'USER_NOT_FOUND', 'BUNDLE_NOT_FOUND'],
      409: ['PHONE_TAKEN', 'USERNAME_TAKEN', 'POOL_FULL'],
      413: ['PAYLOAD_TOO_LARGE'],
      415: ['UNSUPPORTED_MEDIA_TYPE'],
      429: ['RATE_LIMITED'],
      503: ['SERVICE_UNAVAILABLE'],
      500: ['INTERNAL'],
    };
    // Beyond the contract's table: a body that did not arrive in time (docs/API.md).
    const extensions = { REQUEST_TIMEOUT: 408 };
    const webSocketOnly = {
      UNKNOWN_EVENT: 400,
      NOT_IN_CALL: 409,
      ALREADY_IN_CALL: 409,
      CALL_EXISTS: 409,
    };
    const expected = {
      ...Object.fromEntries(
        Object.entries(table).flatMap(([status, codes]) =>
          codes.map((code) => [code, Number(status)]),
        ),
      ),
      ...extensions,
      ...webSocketOnly,
      // Phone verification and sessions (docs/API.md).
      INVALID_CODE: 400,
      VERIFICATION_REQUIRED: 403,
      VERIFICATION_NOT_FOUND: 404,
      SESSION_NOT_FOUND: 404,
      VERIFICATION_EXPIRED: 410,
      VERIFICATION_EXHAUSTED: 410,
    };
    expect(STATUS_BY_CODE).toEqual(expected);
  });
});

describe('unexpected errors', () => {
  it('answer 500 INTERNAL without any internals, and are logged with the request id', async () => {
    const failure = new Error('connect ECONNREFUSED mongodb://admin:hunter2@db:27017');
    const { login, logged } = await appFailingWith(failure);
    const res = await login();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
    const text = JSON.stringify(res.body);
    for (const secret of ['ECONNREFUSED', 'hunter2', 'mongodb', 'at ', '.ts']) {
      expect(text).not.toContain(secret);
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toContain('req-123');
    expect(logged[0]?.error).toBe(failure);
  });

  it('answer 500 INTERNAL for thrown non-errors too', async () => {
    const { login, logged } = await appFailingWith('a string');
    const res = await login();
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(logged[0]?.error).toMatchObject({ cause: 'a string' });
  });
});

describe('domain errors', () => {
  it('map SERVICE_UNAVAILABLE to 503', async () => {
    const { login, logged } = await appFailingWith(new ServiceUnavailableError());
    const res = await login();
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(logged).toHaveLength(0);
  });

  it('map RATE_LIMITED to 429 with Retry-After in whole seconds', async () => {
    const { login } = await appFailingWith(new RateLimitedError(2.2));
    const res = await login();
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(res.headers.get('retry-after')).toBe('3');
  });
});

describe('unknown routes', () => {
  it('answer 404 NOT_FOUND in the error shape', async () => {
    // Not `/`: that is the web app's page once `npm run build` has built it (routes/web.test.ts).
    for (const path of ['/nope', '/api', '/api/auth/nope', '/api/auth/register/']) {
      const res = await call(app, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('under an authenticated prefix, ask for the token first', async () => {
    expect((await call(app, 'GET', '/api/chat/nope')).status).toBe(401);
    const res = await call(app, 'GET', '/api/chat/nope', { token: alice.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answer a known path with another method 404 NOT_FOUND, naming the methods in Allow', async () => {
    const res = await call(app, 'GET', '/api/auth/register');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(res.headers.get('allow')).toBe('POST');

    const put = await call(app, 'PUT', '/api/chat/conversations', { token: alice.token });
    expect(put.status).toBe(404);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('every answer', () => {
  it('carries a request id, the client one when it is sane', async () => {
    const mine = await call(app, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const weird = await call(app, 'GET', '/healthz', { headers: { 'x-request-id': 'a b<c>' } });
    expect(weird.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('under /api is marked Cache-Control: no-store, errors included', async () => {
    const ok = await call(app, 'GET', '/api/keys/onetime/count', { token: alice.token });
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const error = await call(app, 'GET', '/api/keys/onetime/count');
    expect(error.headers.get('cache-control')).toBe('no-store');
  });
});
