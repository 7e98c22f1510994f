/**
 * Hostile input: MongoDB query operators in every body field and query
 * parameter that reaches a store (always a 400 or ignored, never a query),
 * oversized bodies and frames, Unicode edge cases (NUL, lone surrogates, bidi
 * overrides, malformed UTF-8) and prototype-polluting keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT_BYTES, LARGE_BODY_LIMIT_BYTES } from '../../adapters/http/json-body.js';
import { hasBidiControl, normalizeDisplayName } from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  TEST_PASSWORD,
  type TestApp,
  uniquePhoneNumber,
} from '../support/http.js';
import { plainKyberPreKeys, plainPreKeys } from '../support/libsignal-keys.js';
import {
  frameOf,
  registerUser as registerOnServer,
  useWsTestServer,
} from '../support/ws-client.js';
import { bundleWith, expectError, guardedStores } from './helpers.js';

let t: TestApp;
let violations: string[];
let alice: RegisteredUser;
let bob: RegisteredUser;

beforeAll(async () => {
  const guarded = guardedStores();
  violations = guarded.violations;
  t = await createTestApp({ deps: guarded.deps });
  [alice, bob] = await Promise.all([registerUser(t.app), registerUser(t.app)]);
  await call(t.app, 'POST', '/api/keys/publish', { token: alice.token, json: bundleWith(3) });
  await call(t.app, 'POST', '/api/chat/send', {
    token: alice.token,
    json: { receiverId: bob.userId, content: 'hello' },
  });
});

afterAll(() => {
  // Whatever was sent, no store was ever handed a query operator.
  expect(violations).toEqual([]);
});

const OPERATORS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $regex: '.*' },
  { $where: 'sleep(1000)' },
  { $in: ['a'] },
  [{ $gt: '' }],
];

type JsonObject = Record<string, unknown>;

/** Every JSON route with a body that passes its schema. */
function jsonRoutes(): { method?: string; path: string; token?: string; body: JsonObject }[] {
  const kyber = plainKyberPreKeys([7])[0]!;
  return [
    {
      path: '/api/auth/register',
      body: {
        phoneNumber: uniquePhoneNumber(),
        displayName: 'Mallory',
        password: TEST_PASSWORD,
        username: 'mallory_1',
      },
    },
    { path: '/api/auth/login', body: { phoneNumber: alice.phoneNumber, password: TEST_PASSWORD } },
    { path: '/api/users/presence', token: alice.token, body: { userIds: [bob.userId] } },
    { path: '/api/users/lookup', token: alice.token, body: { phoneNumbers: [bob.phoneNumber] } },
    {
      path: '/api/chat/send',
      token: alice.token,
      body: { receiverId: bob.userId, content: 'x', messageType: 'text', clientMessageId: 'c-1' },
    },
    { path: '/api/keys/publish', token: alice.token, body: { ...bundleWith(1) } },
    {
      path: '/api/keys/onetime/replenish',
      token: alice.token,
      body: { oneTimePreKeys: plainPreKeys([40]), kyberOneTimePreKeys: [{ ...kyber, keyId: 40 }] },
    },
    {
      method: 'PATCH',
      path: '/api/users/me',
      token: alice.token,
      body: {
        displayName: 'Alice',
        username: 'alice_ops',
        readReceipts: true,
        typingIndicators: true,
      },
    },
    {
      path: '/api/auth/password',
      token: alice.token,
      body: { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
    },
    {
      method: 'DELETE',
      path: '/api/users/me',
      token: alice.token,
      body: { password: TEST_PASSWORD },
    },
  ];
}

/** Dot paths of every value in `body`: fields, list items and nested fields. */
function pathsOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    paths.push(path, ...pathsOf(child, path));
  }
  return paths;
}

function withValueAt(body: JsonObject, path: string, value: unknown): JsonObject {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys.at(-1)!] = value;
  return copy;
}

describe('MongoDB operators', () => {
  it('in any body field, at any depth, are a 400 VALIDATION_FAILED at that field', async () => {
    let checked = 0;
    for (const route of jsonRoutes()) {
      for (const path of pathsOf(route.body)) {
        for (const operator of OPERATORS) {
          const res = await call(t.app, route.method ?? 'POST', route.path, {
            ...(route.token === undefined ? {} : { token: route.token }),
            json: withValueAt(route.body, path, operator),
          });
          const label = `${route.method ?? 'POST'} ${route.path} ${path}=${JSON.stringify(operator)}`;
          expect(res.status, label).toBe(400);
          expectError(res, 'VALIDATION_FAILED');
          expect(
            res.body.error.details.some(
              (d: { path: string }) => d.path === path || d.path.startsWith(`${path}.`),
            ),
            `${label}: ${JSON.stringify(res.body.error.details)}`,
          ).toBe(true);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(250);
  });

  it('as unknown top-level keys are dropped before anything sees them', async () => {
    const res = await call(t.app, 'POST', '/api/users/lookup', {
      token: alice.token,
      json: { phoneNumbers: [bob.phoneNumber], $where: 'true', $or: [{}] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
  });

  it('in query parameters: a bracketed name is just an unknown parameter, a JSON value a 400', async () => {
    const base = `/api/chat/messages/${bob.userId}`;
    for (const query of ['limit[$gt]=0', 'before[$ne]=null', 'offset[$gt]=', 'before[]=x']) {
      const res = await call(t.app, 'GET', `${base}?${query}`, { token: alice.token });
      expect(res.status, query).toBe(200);
      expect(res.body, query).toHaveLength(1);
    }
    for (const [path, parameter] of [
      [`${base}?before=${encodeURIComponent('{"$ne":null}')}`, 'before'],
      [`${base}?limit=${encodeURIComponent('{"$gt":0}')}`, 'limit'],
      [`/api/chat/conversations?offset=${encodeURIComponent('{"$gt":0}')}`, 'offset'],
      [`/api/calls?limit=${encodeURIComponent('{"$gt":0}')}`, 'limit'],
      [`/api/calls?offset=1&offset=${encodeURIComponent('{"$gt":0}')}`, 'offset'],
    ] as const) {
      const res = await call(t.app, 'GET', path, { token: alice.token });
      expectError(res, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([parameter]);
    }
  });

  it('in path parameters are ids that match nothing', async () => {
    const operator = encodeURIComponent('{"$ne":null}');
    for (const [path, code] of [
      [`/api/users/${operator}/profile`, 'USER_NOT_FOUND'],
      [`/api/users/by-username/${encodeURIComponent('{"$regex":".*"}')}`, 'USER_NOT_FOUND'],
      [`/api/chat/messages/${operator}`, 'USER_NOT_FOUND'],
      [`/api/keys/${operator}/bundle`, 'BUNDLE_NOT_FOUND'],
    ] as const) {
      expectError(await call(t.app, 'GET', path, { token: alice.token }), code);
    }
  });
});

describe('oversized bodies', () => {
  const limits: [string, number][] = [
    ['/api/auth/register', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/auth/login', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/users/presence', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/users/lookup', DEFAULT_BODY_LIMIT_BYTES],
    ['/api/chat/send', LARGE_BODY_LIMIT_BYTES],
    ['/api/keys/publish', LARGE_BODY_LIMIT_BYTES],
    ['/api/keys/onetime/replenish', LARGE_BODY_LIMIT_BYTES],
  ];
  /** A JSON object of exactly `bytes` bytes. */
  const jsonOf = (bytes: number) => `{"x":"${'a'.repeat(bytes - 8)}"}`;

  it('are refused with 413 on every JSON route, declared or chunked; the limit itself passes', async () => {
    for (const [path, limit] of limits) {
      const headers = { 'content-type': 'application/json', 'x-auth-token': alice.token };
      expect(jsonOf(limit + 1)).toHaveLength(limit + 1);
      expectError(
        await call(t.app, 'POST', path, { raw: jsonOf(limit + 1), headers }),
        'PAYLOAD_TOO_LARGE',
      );
      const chunked = new ReadableStream<Uint8Array>({
        start(controller) {
          const chunk = new TextEncoder().encode('a'.repeat(16 * 1024));
          controller.enqueue(new TextEncoder().encode('{"x":"'));
          for (let sent = 0; sent <= limit; sent += chunk.byteLength) controller.enqueue(chunk);
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        },
      });
      expectError(await call(t.app, 'POST', path, { raw: chunked, headers }), 'PAYLOAD_TOO_LARGE');
      const atLimit = await call(t.app, 'POST', path, { raw: jsonOf(limit), headers });
      expect(atLimit.status, path).not.toBe(413);
    }
  });
});

describe('Unicode', () => {
  const register = (displayName: string) =>
    call(t.app, 'POST', '/api/auth/register', {
      json: { phoneNumber: uniquePhoneNumber(), displayName, password: TEST_PASSWORD },
    });
  /** Sends raw JSON text (escapes such as \ud800 survive as written). */
  const registerRaw = (json: string) =>
    call(t.app, 'POST', '/api/auth/register', {
      raw: json,
      headers: { 'content-type': 'application/json' },
    });

  it('refuses bidi embeddings, overrides and isolates in display names (Trojan Source)', async () => {
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const name = `Bank${String.fromCodePoint(code)}gpj.exe`;
      expect(hasBidiControl(name)).toBe(true);
      expect(normalizeDisplayName(name)).toBeNull();
      const res = await register(name);
      expectError(res, 'VALIDATION_FAILED');
      expect(res.body.error.details).toEqual([
        { path: 'displayName', message: expect.any(String) },
      ]);
    }
  });

  it('keeps the marks right-to-left names need, ZWJ emoji and combining marks, unchanged', async () => {
    for (const name of [
      'שלום\u200F עולם', // RLM
      'مرحبا\u061C 42', // ALM
      'Ada\u200E Lovelace', // LRM
      '👩‍💻 Dev', // ZWJ sequence
      'e\u0301te\u0301', // combining acute accents
      'ميلاد', // Arabic
    ]) {
      const res = await register(name);
      expect(res.status, JSON.stringify(name)).toBe(201);
      expect(res.body.displayName).toBe(name);
    }
  });

  it('refuses NUL and other control characters where names and numbers go', async () => {
    expectError(await register('Nul\u0000Name'), 'VALIDATION_FAILED');
    expectError(await register('Tab\tName'), 'VALIDATION_FAILED');
    expectError(await register('Del\u007fName'), 'VALIDATION_FAILED');
    const phone = await call(t.app, 'POST', '/api/auth/login', {
      json: { phoneNumber: '+15550000000\u0000', password: TEST_PASSWORD },
    });
    expectError(phone, 'VALIDATION_FAILED');
    const username = await call(t.app, 'POST', '/api/auth/register', {
      json: {
        phoneNumber: uniquePhoneNumber(),
        displayName: 'U',
        password: TEST_PASSWORD,
        username: 'nul\u0000user',
      },
    });
    expectError(username, 'VALIDATION_FAILED');
    expectError(
      await call(t.app, 'GET', '/api/users/%00/profile', { token: alice.token }),
      'USER_NOT_FOUND',
    );
  });

  it('keeps NUL, controls and bidi characters in message content byte for byte (it is ciphertext)', async () => {
    const content = 'a\u0000b\u202Ec\u0007\uFEFF😀';
    // The newest message: ids carry no order, so it must not share a millisecond with earlier ones.
    t.clock.advance(1000);
    const sent = await call(t.app, 'POST', '/api/chat/send', {
      token: alice.token,
      json: { receiverId: bob.userId, content, clientMessageId: 'nul\u0000id' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.content).toBe(content);
    expect(sent.body.clientMessageId).toBe('nul\u0000id');
    const thread = await call(t.app, 'GET', `/api/chat/messages/${alice.userId}`, {
      token: bob.token,
    });
    expect(thread.body[0].content).toBe(content);
  });

  it('refuses lone surrogates in every text field', async () => {
    const phone = uniquePhoneNumber();
    for (const [json, path] of [
      [
        `{"phoneNumber":"${phone}","displayName":"A\\ud800","password":"${TEST_PASSWORD}"}`,
        'displayName',
      ],
      [
        `{"phoneNumber":"${phone}","displayName":"A","password":"${TEST_PASSWORD}\\udfff"}`,
        'password',
      ],
    ] as const) {
      const res = await registerRaw(json);
      expectError(res, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
    for (const [json, path] of [
      [`{"receiverId":"${bob.userId}","content":"x\\ud83d"}`, 'content'],
      [
        `{"receiverId":"${bob.userId}","content":"x","clientMessageId":"\\udc00"}`,
        'clientMessageId',
      ],
    ] as const) {
      const res = await call(t.app, 'POST', '/api/chat/send', {
        token: alice.token,
        raw: json,
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 'VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
  });

  it('refuses malformed UTF-8 (invalid bytes, overlong forms, encoded surrogates) as INVALID_JSON', async () => {
    for (const bytes of [
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], // {"a":"\xff"}
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d], // overlong "/"
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], // UTF-8 of U+D800
    ]) {
      const res = await call(t.app, 'POST', '/api/auth/login', {
        raw: new Uint8Array(bytes),
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 'INVALID_JSON');
    }
  });
});

describe('prototype pollution', () => {
  it('treats __proto__ and constructor keys as unknown fields and pollutes nothing', async () => {
    const raw = `{"phoneNumbers":["${bob.phoneNumber}"],"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
    const res = await call(t.app, 'POST', '/api/users/lookup', {
      token: alice.token,
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = await call(t.app, 'POST', '/api/keys/publish', {
      token: alice.token,
      raw: JSON.stringify(bundleWith(1)).replace(
        '"keyId":1,',
        '"__proto__":{"keyId":5},"keyId":1,',
      ),
      headers: { 'content-type': 'application/json' },
    });
    expect(nested.status).toBe(200);
    expect(({} as Record<string, unknown>).keyId).toBeUndefined();
  });

  it('answers a body nested 20 000 levels deep with a 400, not a crash', async () => {
    const deep = `{"phoneNumbers":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const res = await call(t.app, 'POST', '/api/users/lookup', {
      token: alice.token,
      raw: deep,
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 'VALIDATION_FAILED');
  });
});

describe('socket frames', () => {
  const { server, connect } = useWsTestServer();

  it('a frame over 64 KiB closes the socket with 1009; operators and deep nesting are refused in place', async () => {
    const user = await registerOnServer(server.url, 'Frames');
    const socket = await connect(user);
    socket.send('subscribe-presence', { userIds: [{ $ne: null }] });
    expect(
      (await socket.waitFor(frameOf('error', { type: 'subscribe-presence' }))).payload.code,
    ).toBe('VALIDATION_FAILED');
    socket.send('call-user', { to: { $gt: '' } });
    expect((await socket.waitFor(frameOf('error', { type: 'call-user' }))).payload.code).toBe(
      'VALIDATION_FAILED',
    );
    socket.send('offer', { callId: { $ne: null } });
    expect((await socket.waitFor(frameOf('error', { type: 'offer' }))).payload.code).toBe(
      'VALIDATION_FAILED',
    );
    socket.sendRaw(
      `{"type":"offer","payload":{"callId":"c","x":${'['.repeat(40)}${']'.repeat(40)}}}`,
    );
    // Refused before the type is read: the error names no type.
    await socket.waitFor(frameOf('error', { code: 'VALIDATION_FAILED' }));
    await socket.roundTrip();
    socket.sendRaw(`{"type":"offer","payload":{"callId":"${'x'.repeat(64 * 1024)}"}}`);
    expect((await socket.waitForClose()).code).toBe(1009);
  });
});
