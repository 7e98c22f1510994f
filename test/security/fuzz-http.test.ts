/**
 * Property-based fuzzing of every HTTP route (fast-check): arbitrary JSON,
 * near-valid bodies, arbitrary bytes and media types, arbitrary path and
 * query parameters, with and without a token, with the rate limits on. The
 * server never answers 500, every refusal has the contract's error shape and
 * a status matching its code, no store ever sees a query operator, nothing
 * unexpected is logged, and `/healthz` still answers afterwards. Raw bytes on
 * the socket of a real server do not bring it down either.
 *
 * Deterministic by default: `FUZZ_SEED` and `FUZZ_RUNS` vary it; a failure
 * prints the seed and the shrunk counterexample.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiters } from '../../adapters/http/rate-limiters.js';
import { STATUS_BY_CODE } from '../../adapters/wire/errors.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_PASSWORD,
  type TestApp,
  UNKNOWN_ID,
} from '../support/http.js';
import {
  createLibsignalBundle,
  plainEcKey,
  plainKyberKey,
  plainPreKeys,
  plainSignature,
  toHex,
} from '../support/libsignal-keys.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { guardedStores, recordingLogger, UNLIMITED } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_301);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

let t: TestApp;
let violations: string[];
const logger = recordingLogger();
let alice: RegisteredUser;
let bob: RegisteredUser;
/** A publish body with real libsignal keys and signatures (so signature checks run). */
let aliceBundle: JsonObject;

beforeAll(async () => {
  const guarded = guardedStores();
  violations = guarded.violations;
  t = await createTestApp({
    deps: guarded.deps,
    http: {
      logger,
      rateLimits: true,
      rateLimiters: createRateLimiters({ rules: UNLIMITED }),
      corsOrigins: ['https://app.example.org'],
    },
  });
  [alice, bob] = await Promise.all([registerUser(t.app), registerUser(t.app)]);
  await call(t.app, 'POST', '/api/keys/publish', {
    token: bob.token,
    json: createLibsignalBundle({ oneTimeCount: 5, kyberOneTimeCount: 5 }).body,
  });
  aliceBundle = { ...createLibsignalBundle({ oneTimeCount: 2, kyberOneTimeCount: 2 }).body };
  await call(t.app, 'POST', '/api/chat/send', {
    token: alice.token,
    json: { receiverId: bob.userId, content: 'seed message' },
  });
});

afterAll(() => {
  expect(violations).toEqual([]);
});

// ---------------------------------------------------------------------------
// Values: arbitrary JSON mixed with near-valid values, so that fuzzing reaches
// past the schemas into the core and the stores.

const hex = (bytes: Uint8Array) => toHex(bytes);
/** One of `list()`, read when a value is generated (the users exist by then). */
const oneOfLater = (list: () => readonly string[], size: number) =>
  fc.nat({ max: size - 1 }).map((i) => list()[i] as string);
const ids = () => oneOfLater(() => [alice.userId, bob.userId, UNKNOWN_ID, 'not-an-id', '', ' '], 6);
const phones = () =>
  oneOfLater(
    () => [alice.phoneNumber, bob.phoneNumber, '+15550000000', '+1 (555) 000-0000', '0', '+'],
    6,
  );
const oddStrings = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\u202e',
  '$gt',
  '__proto__',
  'constructor',
  '😀'.repeat(40),
  'a'.repeat(70_000),
);
const strings = () =>
  fc.oneof(
    { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    { arbitrary: ids(), weight: 2 },
    { arbitrary: phones(), weight: 2 },
    { arbitrary: oddStrings, weight: 1 },
  );
const hexKeys = fc.oneof(
  fc.constantFrom(plainEcKey(1), `05${plainEcKey(2)}`, plainKyberKey(1), plainSignature(1), ''),
  fc.uint8Array({ maxLength: 70 }).map(hex),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `05${hex(b)}`),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map(hex),
  fc.uint8Array({ minLength: 1568, maxLength: 1568 }).map((b) => `08${hex(b)}`),
);
const integers = fc.oneof(
  fc.integer({ min: -2, max: 12 }),
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, Number.MAX_SAFE_INTEGER, -0, 1.5, 1e308),
);
const operators = fc.constantFrom({ $gt: '' }, { $ne: null }, { $where: '1' }, [{ $in: [] }]);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const key = fc.record(
  { keyId: fc.oneof(integers, anyJson), publicKey: fc.oneof(hexKeys, anyJson), signature: hexKeys },
  { requiredKeys: [] },
);
const value = fc.oneof(
  { arbitrary: strings(), weight: 4 },
  { arbitrary: integers, weight: 1 },
  { arbitrary: hexKeys, weight: 1 },
  { arbitrary: key, weight: 1 },
  { arbitrary: fc.array(fc.oneof(strings(), key), { maxLength: 6 }), weight: 2 },
  { arbitrary: operators, weight: 1 },
  { arbitrary: anyJson, weight: 2 },
);

type JsonObject = Record<string, unknown>;

/**
 * A body for a route whose valid body `base()` builds: the valid body with up
 * to two fields replaced and one removed (so most requests get past the
 * schema into the core), or arbitrary JSON, text or bytes.
 */
function bodies(base: () => JsonObject, fields: readonly string[]) {
  const near = fc
    .record({
      replaced: fc.subarray([...fields], { maxLength: Math.min(2, fields.length) }),
      values: fc.array(value, { minLength: 2, maxLength: 2 }),
      removed: fc.subarray([...fields], { maxLength: 1 }),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 2 }),
    })
    .map(({ replaced, values, removed, extra }) => {
      const body: JsonObject = { ...extra, ...base() };
      replaced.forEach((field, i) => {
        body[field] = values[i];
      });
      for (const field of removed) delete body[field];
      return JSON.stringify(body);
    });
  return fc.oneof(
    { arbitrary: near, weight: 8 },
    { arbitrary: anyJson.map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 60 }), weight: 1 },
  );
}

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'text/plain',
  undefined,
);

/** Percent-encoded UTF-8 of any string (lone surrogates become U+FFFD, as a client would send). */
const segment = fc
  .oneof(
    ids(),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom('..', '.', '%', '%00'),
  )
  .map((s) =>
    [...new TextEncoder().encode(s)]
      .map((b) =>
        /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `%${b.toString(16).padStart(2, '0')}`,
      )
      .join(''),
  );

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'offset', 'before', 'limit[$gt]', 'x', 'token'),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.integer().map(String),
        ids(),
        fc.constantFrom('', '1e2', '-1', '01'),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`));

const tokens = () =>
  fc.oneof(
    { arbitrary: fc.constant(alice.token), weight: 8 },
    { arbitrary: fc.constantFrom(undefined, 'garbage', bob.token), weight: 2 },
  );

interface Route {
  readonly method: string;
  readonly path: fc.Arbitrary<string> | ((own: OwnUser) => fc.Arbitrary<string>);
  /** A valid body: the fuzzer starts from it. */
  readonly base?: () => JsonObject;
  /**
   * Routes that end sessions or the account run as a user of their own, with
   * several sessions, so that Alice and Bob stay signed in for the others.
   */
  readonly own?: true;
}

/** A fresh user signed in on several devices. */
interface OwnUser {
  readonly userId: string;
  readonly tokens: readonly string[];
  readonly sessionIds: readonly string[];
}

async function ownUser(): Promise<OwnUser> {
  const user = await registerUser(t.app);
  const logins = await Promise.all(
    Array.from({ length: 4 }, () =>
      call(t.app, 'POST', '/api/auth/login', {
        json: { phoneNumber: user.phoneNumber, password: TEST_PASSWORD },
      }),
    ),
  );
  const sessions = logins.map((res) => res.body as { token: string; sessionId: string });
  return {
    userId: user.userId,
    tokens: [user.token, ...sessions.map((s) => s.token)],
    sessionIds: [user.sessionId, ...sessions.map((s) => s.sessionId)],
  };
}

/** The own user's sessions, Alice's, and ids that name no session of theirs. */
const sessionSegments = (own: OwnUser) =>
  fc.oneof(fc.constantFrom(...own.sessionIds, alice.sessionId), segment);

let generated = 0;
/** A body the route accepts as it is (fresh values where they must be unique). */
function validBodies(): Record<string, () => JsonObject> {
  return {
    register: () => ({
      phoneNumber: `+1666${String(++generated).padStart(7, '0')}`,
      displayName: 'Fuzzy',
      password: TEST_PASSWORD,
      username: `fuzz_${generated}`,
    }),
    login: () => ({ phoneNumber: alice.phoneNumber, password: TEST_PASSWORD }),
    presence: () => ({ userIds: [alice.userId, bob.userId] }),
    lookup: () => ({ phoneNumbers: [bob.phoneNumber, alice.phoneNumber] }),
    send: () => ({
      receiverId: bob.userId,
      content: 'hello',
      messageType: 'text',
      clientMessageId: `fuzz-${++generated % 50}`,
    }),
    publish: () => ({ ...aliceBundle }),
    replenish: () => ({ oneTimePreKeys: plainPreKeys([1000 + (++generated % 300)]) }),
    password: () => ({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }),
    deleteAccount: () => ({ password: TEST_PASSWORD }),
    account: () => ({
      displayName: 'Fuzzy',
      username: `fuzz_me_${++generated % 50}`,
      readReceipts: true,
      typingIndicators: false,
    }),
  };
}

function routes(): Route[] {
  const fixed = (path: string) => fc.constant(path);
  const withQuery = (path: string) => query.map((q) => `${path}${q}`);
  const valid = validBodies();
  return [
    { method: 'POST', path: fixed('/api/auth/register'), base: valid.register },
    { method: 'POST', path: fixed('/api/auth/login'), base: valid.login },
    { method: 'GET', path: fixed('/api/users/me') },
    { method: 'PATCH', path: fixed('/api/users/me'), base: valid.account },
    { method: 'GET', path: fixed('/api/users/me/blocked') },
    { method: 'PUT', path: segment.map((s) => `/api/users/me/blocked/${s}`) },
    { method: 'DELETE', path: segment.map((s) => `/api/users/me/blocked/${s}`) },
    { method: 'GET', path: segment.map((s) => `/api/users/${s}/profile`) },
    { method: 'GET', path: segment.map((s) => `/api/users/by-username/${s}`) },
    { method: 'POST', path: fixed('/api/users/presence'), base: valid.presence },
    { method: 'POST', path: fixed('/api/users/lookup'), base: valid.lookup },
    { method: 'POST', path: fixed('/api/chat/send'), base: valid.send },
    { method: 'GET', path: withQuery('/api/chat/conversations') },
    {
      method: 'GET',
      path: fc.tuple(segment, query).map(([s, q]) => `/api/chat/messages/${s}${q}`),
    },
    { method: 'POST', path: fixed('/api/keys/publish'), base: valid.publish },
    { method: 'GET', path: segment.map((s) => `/api/keys/${s}/bundle`) },
    { method: 'GET', path: withQuery('/api/keys/onetime/count') },
    { method: 'POST', path: fixed('/api/keys/onetime/replenish'), base: valid.replenish },
    { method: 'GET', path: withQuery('/api/calls') },
    { method: 'GET', path: fixed('/api/calls/ice-servers') },
    { method: 'GET', path: fixed('/healthz') },
    { method: 'GET', path: fixed('/readyz') },
    { method: 'GET', path: withQuery('/openapi.json') },
    { method: 'GET', path: withQuery('/asyncapi.json') },
    { method: 'GET', path: withQuery('/docs') },
    { method: 'GET', path: segment.map((s) => `/docs/assets/${s}`) },
    // Last, each as a user of its own: they end sessions, and the account.
    { method: 'GET', path: fixed('/api/auth/sessions'), own: true },
    { method: 'POST', path: fixed('/api/auth/password'), base: valid.password, own: true },
    {
      method: 'DELETE',
      path: (own) => sessionSegments(own).map((s) => `/api/auth/sessions/${s}`),
      own: true,
    },
    { method: 'DELETE', path: fixed('/api/auth/sessions'), own: true },
    { method: 'POST', path: fixed('/api/auth/logout'), own: true },
    { method: 'DELETE', path: fixed('/api/users/me'), base: valid.deleteAccount, own: true },
  ];
}

/** The answer is never a 500; an error has the contract's shape and the status of its code. */
async function expectSoundAnswer(response: Response, label: string): Promise<void> {
  expect(response.status, label).not.toBe(500);
  expect(response.status, label).toBeLessThan(500);
  if (response.status < 400) return;
  const body = (await response.json()) as { error?: { code?: string; message?: unknown } };
  const code = body.error?.code as keyof typeof STATUS_BY_CODE;
  expect(Object.keys(STATUS_BY_CODE), label).toContain(code);
  expect(STATUS_BY_CODE[code], `${label}: ${code}`).toBe(response.status);
  expect(typeof body.error?.message, label).toBe('string');
}

describe('every HTTP route, with arbitrary input', () => {
  const statuses = new Map<string, number>();
  it('never answers 500 and always answers in the error shape', async () => {
    for (const route of routes()) {
      const own = route.own ? await ownUser() : null;
      const request = fc.record({
        path: typeof route.path === 'function' ? route.path(own!) : route.path,
        token:
          own === null
            ? tokens()
            : fc.oneof(
                { arbitrary: fc.constantFrom(...own.tokens), weight: 8 },
                { arbitrary: fc.constantFrom(undefined, 'garbage'), weight: 2 },
              ),
        body:
          route.base === undefined
            ? fc.constant(undefined)
            : bodies(route.base, Object.keys(route.base())),
        contentType: contentTypes,
        connectionId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ path, token, body, contentType, connectionId }) => {
          const headers = new Headers();
          if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
          if (body !== undefined && contentType !== undefined)
            headers.set('content-type', contentType);
          if (connectionId !== undefined) headers.set('x-connection-id', connectionId);
          const response = await t.app.request(path, {
            method: route.method,
            headers,
            ...(body === undefined || route.method === 'GET' ? {} : { body }),
          });
          await expectSoundAnswer(response, `${route.method} ${path}`);
          const seen = `${route.method} ${route.base === undefined ? path.split('?')[0] : path} ${response.status}`;
          statuses.set(seen, (statuses.get(seen) ?? 0) + 1);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }
    // FUZZ_VERBOSE=1 shows how far the inputs got (which statuses each route answered).
    if (process.env.FUZZ_VERBOSE) console.info([...statuses].sort().join('\n'));
  });

  it('answers any method on any path without a 500', async () => {
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
    const paths = fc.oneof(
      fc.constantFrom(
        '/',
        '/ws',
        '/api',
        '/api/',
        '/api/chat/',
        '//healthz',
        '/api/../healthz',
        '/metrics',
        '/openapi.json',
        '/docs',
      ),
      segment.map((s) => `/api/${s}`),
      fc.tuple(segment, segment).map(([a, b]) => `/${a}/${b}`),
    );
    await fc.assert(
      fc.asyncProperty(methods, paths, tokens(), async (method, path, token) => {
        const response = await t.app.request(path, {
          method,
          headers:
            token === undefined ? {} : { 'x-auth-token': token, origin: 'https://app.example.org' },
        });
        await expectSoundAnswer(response, `${method} ${path}`);
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
  });

  it('logged no unexpected error, and /healthz and a normal request still answer', async () => {
    expect(logger.errors.map((e) => e.message)).toEqual([]);
    expect((await call(t.app, 'GET', '/healthz')).status).toBe(200);
    const count = await call(t.app, 'GET', '/api/keys/onetime/count', { token: alice.token });
    expect(count.status).toBe(200);
  });
});

describe('a real server fed raw bytes', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimits: true });
  });
  afterAll(() => server.close());

  /** Writes `bytes` to a fresh connection and resolves when the server has closed it or answered. */
  const sendRaw = (bytes: Uint8Array) =>
    new Promise<void>((resolve) => {
      const socket = connect(server.port, '127.0.0.1');
      const done = () => {
        socket.destroy();
        resolve();
      };
      socket.setTimeout(1_000, done);
      socket.on('error', done);
      socket.on('data', done);
      socket.on('close', done);
      socket.end(bytes);
    });

  it('survives garbage, broken requests and half-open upgrades, and /healthz answers', async () => {
    const requestLine = fc.constantFrom(
      'GET / HTTP/1.1\r\n',
      'POST /api/auth/login HTTP/1.1\r\n',
      'GET /?token=x HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
      'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n',
      '',
    );
    await fc.assert(
      fc.asyncProperty(requestLine, fc.uint8Array({ maxLength: 300 }), async (line, rest) => {
        const head = new TextEncoder().encode(line);
        const bytes = new Uint8Array(head.length + rest.length);
        bytes.set(head);
        bytes.set(rest, head.length);
        await sendRaw(bytes);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const health = await callJson(server.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});
