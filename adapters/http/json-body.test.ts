import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
} from '../../test/support/http.js';
import { isJsonMediaType } from './json-body.js';

let app: TestHttpApp;
let alice: RegisteredUser;

beforeAll(async () => {
  ({ app } = await createTestApp());
  alice = await registerUser(app);
});

const KiB = 1024;

/** A JSON object of exactly `bytes` bytes: `{"pad":"xxx…"}`. */
function paddedJson(bytes: number): string {
  const overhead = '{"pad":""}'.length;
  return `{"pad":"${'x'.repeat(bytes - overhead)}"}`;
}

/** The same bytes as a stream, so no Content-Length is known (chunked upload). */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 16 * KiB)
        controller.enqueue(bytes.slice(i, i + 16 * KiB));
      controller.close();
    },
  });
}

describe('media type', () => {
  it('answers 415 to a body sent as text/plain', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      raw: JSON.stringify({ phoneNumber: alice.phoneNumber, password: alice.password }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.any(String) },
    });
  });

  it('answers 415 to a body without any Content-Type', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      raw: new TextEncoder().encode('{"phoneNumber":"+15550000001","password":"x"}'),
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 415 to a JSON route called with no body at all', async () => {
    const bare = await call(app, 'POST', '/api/auth/login');
    expect(bare.status).toBe(415);
    const typed = await call(app, 'POST', '/api/auth/login', {
      headers: { 'content-type': 'application/json' },
    });
    expect(typed.status).toBe(415);
    expect(typed.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 415 to an empty body, on authenticated routes too', async () => {
    const res = await call(app, 'POST', '/api/users/lookup', {
      token: alice.token,
      raw: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(415);
  });

  it('accepts application/json with parameters and in any case', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;Charset="UTF-8"']) {
      const res = await call(app, 'POST', '/api/auth/login', {
        raw: JSON.stringify({ phoneNumber: alice.phoneNumber, password: alice.password }),
        headers: { 'content-type': type },
      });
      expect(res.status, type).toBe(200);
    }
  });

  it('knows application/json from look-alikes and non-UTF-8 charsets', () => {
    expect(isJsonMediaType('application/json')).toBe(true);
    expect(isJsonMediaType(' application/json ; charset=UTF-8')).toBe(true);
    expect(isJsonMediaType('application/json; foo=bar')).toBe(true);
    expect(isJsonMediaType(undefined)).toBe(false);
    expect(isJsonMediaType('')).toBe(false);
    expect(isJsonMediaType('application/json-patch+json')).toBe(false);
    expect(isJsonMediaType('application/vnd.api+json')).toBe(false);
    expect(isJsonMediaType('text/json')).toBe(false);
    expect(isJsonMediaType('application/json; charset=iso-8859-1')).toBe(false);
  });
});

describe('JSON syntax and shape', () => {
  it('answers 400 INVALID_JSON to JSON that does not parse', async () => {
    for (const raw of ['{"phoneNumber":', '{phoneNumber: 1}', "{'a':1}", ' ', 'undefined']) {
      const res = await call(app, 'POST', '/api/auth/login', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, raw).toBe(400);
      expect(res.body, raw).toEqual({
        error: { code: 'INVALID_JSON', message: expect.any(String) },
      });
    }
  });

  it('answers 400 INVALID_JSON to bytes that are not UTF-8', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      raw: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('ignores a leading UTF-8 byte order mark', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      raw: `\uFEFF${JSON.stringify({ phoneNumber: alice.phoneNumber, password: alice.password })}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
  });

  it('answers 400 VALIDATION_FAILED at path "" to JSON that is not an object', async () => {
    for (const raw of ['[]', '[{"phoneNumber":"+15550000001"}]', '"text"', 'null', '42', 'true']) {
      const res = await call(app, 'POST', '/api/auth/login', {
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, raw).toBe(400);
      expect(res.body.error.code, raw).toBe('VALIDATION_FAILED');
      expect(res.body.error.details, raw).toEqual([{ path: '', message: expect.any(String) }]);
    }
  });

  it('refuses a query operator where a string belongs', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber: { $gt: '' }, password: { $ne: null } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'password',
      'phoneNumber',
    ]);
  });

  it('names missing fields by path', async () => {
    const res = await call(app, 'POST', '/api/auth/register', { json: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'displayName',
      'password',
      'phoneNumber',
    ]);
  });

  it('dot-joins nested paths (oneTimePreKeys.3.keyId)', async () => {
    const key = (keyId: unknown) => ({ keyId, publicKey: 'ab'.repeat(32) });
    const res = await call(app, 'POST', '/api/keys/publish', {
      token: alice.token,
      json: {
        identityKey: 'ab'.repeat(32),
        registrationId: 1,
        signedPreKey: { keyId: 1, publicKey: 'ab'.repeat(32), signature: 'cd'.repeat(64) },
        oneTimePreKeys: [key(1), key(2), key(3), key(1.5)],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'oneTimePreKeys.3.keyId', message: expect.any(String) },
    ]);
  });

  it('ignores unknown fields and never echoes them', async () => {
    const res = await call(app, 'POST', '/api/auth/login', {
      json: { phoneNumber: alice.phoneNumber, password: alice.password, isAdmin: true, $where: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('isAdmin');
  });
});

describe('body size limits', () => {
  const jsonHeaders = { 'content-type': 'application/json' };

  it('answers 413 above 64 KiB on ordinary routes, by Content-Length', async () => {
    const raw = paddedJson(64 * KiB + 1);
    const res = await call(app, 'POST', '/api/auth/register', {
      raw,
      headers: { ...jsonHeaders, 'content-length': String(raw.length) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
  });

  it('answers 413 above 64 KiB when the body comes chunked without a length', async () => {
    const res = await call(app, 'POST', '/api/users/lookup', {
      token: alice.token,
      raw: chunked(paddedJson(64 * KiB + 1)),
      headers: jsonHeaders,
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reads a body of exactly 64 KiB on ordinary routes', async () => {
    const res = await call(app, 'POST', '/api/users/lookup', {
      token: alice.token,
      raw: chunked(paddedJson(64 * KiB)),
      headers: jsonHeaders,
    });
    // Past the size check: the schema misses `phoneNumbers`.
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('phoneNumbers');
  });

  it.each(['/api/chat/send', '/api/keys/publish', '/api/keys/onetime/replenish'])(
    'allows up to 512 KiB on %s and answers 413 above',
    async (path) => {
      const within = await call(app, 'POST', path, {
        token: alice.token,
        raw: chunked(paddedJson(512 * KiB)),
        headers: jsonHeaders,
      });
      expect(within.status).toBe(400);
      expect(within.body.error.code).toBe('VALIDATION_FAILED');

      const above = await call(app, 'POST', path, {
        token: alice.token,
        raw: chunked(paddedJson(512 * KiB + 1)),
        headers: jsonHeaders,
      });
      expect(above.status).toBe(413);
      expect(above.body.error.code).toBe('PAYLOAD_TOO_LARGE');

      const declared = paddedJson(600 * KiB);
      const byLength = await call(app, 'POST', path, {
        token: alice.token,
        raw: declared,
        headers: { ...jsonHeaders, 'content-length': String(declared.length) },
      });
      expect(byLength.status).toBe(413);
    },
  );

  it('checks the token before reading a large body', async () => {
    const res = await call(app, 'POST', '/api/chat/send', {
      raw: chunked(paddedJson(600 * KiB)),
      headers: jsonHeaders,
    });
    expect(res.status).toBe(401);
  });
});
