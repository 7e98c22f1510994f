import { beforeAll, describe, expect, it } from 'vitest';
import type { UserId } from '../../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestApp,
  type TestHttpApp,
  UNKNOWN_ID,
} from '../../../test/support/http.js';
import {
  type BundleBody,
  corruptSignature,
  createLibsignalBundle,
  createLibsignalKyberKeys,
  createPlainBundle,
  keyIds,
  plainEcKey,
  plainHex,
  plainKyberPreKeys,
  plainPreKeys,
} from '../../../test/support/libsignal-keys.js';

let test: TestApp;
let app: TestHttpApp;

beforeAll(async () => {
  test = await createTestApp();
  app = test.app;
});

const publish = (user: RegisteredUser, json: unknown) =>
  call(app, 'POST', '/api/keys/publish', { token: user.token, json });
const fetchBundle = (user: RegisteredUser, ownerId: string) =>
  call(app, 'GET', `/api/keys/${ownerId}/bundle`, { token: user.token });
const count = (user: RegisteredUser) =>
  call(app, 'GET', '/api/keys/onetime/count', { token: user.token });
const replenish = (user: RegisteredUser, json: unknown) =>
  call(app, 'POST', '/api/keys/onetime/replenish', { token: user.token, json });

function expectInvalid(res: { status: number; body: { error: unknown } }, ...paths: string[]) {
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual({
    code: 'VALIDATION_FAILED',
    message: expect.any(String),
    details: paths.map((path) => ({ path, message: expect.any(String) })),
  });
}

describe('POST /api/keys/publish', () => {
  let owner: RegisteredUser;
  let reader: RegisteredUser;

  beforeAll(async () => {
    [owner, reader] = await Promise.all([registerUser(app), registerUser(app)]);
  });

  it('stores a libsignal-signed bundle and answers the pool sizes', async () => {
    const { body } = createLibsignalBundle({ oneTimeCount: 3, kyberOneTimeCount: 2 });
    const res = await publish(owner, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 3, kyberCount: 2 });
  });

  it('answers 400 INVALID_SIGNATURE for one bad signature and stores nothing', async () => {
    const before = (await count(owner)).body;
    const { body } = createLibsignalBundle({ oneTimeCount: 5 });
    for (const bad of [
      { ...body, signedPreKey: corruptSignature(body.signedPreKey) },
      { ...body, kyberPreKey: corruptSignature(body.kyberPreKey!) },
      {
        ...body,
        kyberOneTimePreKeys: body.kyberOneTimePreKeys!.map((key, i) =>
          i === 1 ? corruptSignature(key) : key,
        ),
      },
    ]) {
      const res = await publish(owner, bad);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_SIGNATURE', message: expect.any(String) },
      });
    }
    expect((await count(owner)).body).toEqual(before);
  });

  it('answers 400 INVALID_SIGNATURE for keys signed by another identity', async () => {
    const { body } = createLibsignalBundle();
    const other = createLibsignalBundle().body;
    const res = await publish(owner, { ...body, signedPreKey: other.signedPreKey });
    expect(res.body.error.code).toBe('INVALID_SIGNATURE');
  });

  it('accepts either case and hands keys out in lowercase', async () => {
    const plain = createPlainBundle({ salt: 7 });
    const upper = (hex: string) => hex.toUpperCase();
    const body: BundleBody = {
      ...plain,
      identityKey: upper(plain.identityKey),
      signedPreKey: { ...plain.signedPreKey, publicKey: upper(plain.signedPreKey.publicKey) },
      oneTimePreKeys: plain.oneTimePreKeys.map((k) => ({ ...k, publicKey: upper(k.publicKey) })),
    };
    expect((await publish(reader, body)).status).toBe(200);
    const res = await fetchBundle(owner, reader.userId);
    expect(res.status).toBe(200);
    expect(res.body.identityKey).toBe(plain.identityKey);
    expect(res.body.signedPreKey.publicKey).toBe(plain.signedPreKey.publicKey);
    expect(res.body.oneTimePreKey.publicKey).toBe(plain.oneTimePreKeys[0]!.publicKey);
  });

  it('takes oneTimePreKeys empty, and no Kyber keys at all (absent or null)', async () => {
    const plain = createPlainBundle();
    const { kyberPreKey: _k, kyberOneTimePreKeys: _ks, ...withoutKyber } = plain;
    expect((await publish(reader, { ...withoutKyber, oneTimePreKeys: [] })).body).toEqual({
      count: 0,
      kyberCount: 0,
    });
    expect(
      (await publish(reader, { ...plain, kyberPreKey: null, kyberOneTimePreKeys: null })).body,
    ).toEqual({ count: 3, kyberCount: 0 });
  });

  describe('validation', () => {
    const plain = createPlainBundle();

    it('requires identityKey, registrationId, signedPreKey and oneTimePreKeys', async () => {
      expectInvalid(
        await publish(reader, {}),
        'identityKey',
        'registrationId',
        'signedPreKey',
        'oneTimePreKeys',
      );
    });

    it.each([
      ['identityKey', { identityKey: plainHex(31, 1) }],
      ['identityKey', { identityKey: `06${plainHex(32, 1)}` }],
      ['identityKey', { identityKey: `${plainEcKey(1)}00` }],
      ['identityKey', { identityKey: 'zz'.repeat(32) }],
      ['identityKey', { identityKey: 'abc' }],
      ['identityKey', { identityKey: '' }],
      ['identityKey', { identityKey: { $gt: '' } }],
      ['registrationId', { registrationId: -1 }],
      ['registrationId', { registrationId: 2 ** 31 }],
      ['registrationId', { registrationId: 1.5 }],
      ['registrationId', { registrationId: '1' }],
      [
        'signedPreKey.signature',
        { signedPreKey: { ...plain.signedPreKey, signature: plainHex(63, 1) } },
      ],
      ['signedPreKey.keyId', { signedPreKey: { ...plain.signedPreKey, keyId: null } }],
      ['signedPreKey', { signedPreKey: 'key' }],
      ['oneTimePreKeys', { oneTimePreKeys: plainPreKeys(keyIds(101)) }],
      ['oneTimePreKeys.1.keyId', { oneTimePreKeys: plainPreKeys([4, 4]) }],
      [
        'oneTimePreKeys.0.publicKey',
        { oneTimePreKeys: [{ keyId: 1, publicKey: plainHex(1569, 1) }] },
      ],
      [
        'kyberPreKey.publicKey',
        { kyberPreKey: { ...plain.kyberPreKey!, publicKey: plainEcKey(3) } },
      ],
      ['kyberOneTimePreKeys.2.keyId', { kyberOneTimePreKeys: plainKyberPreKeys([1, 2, 1]) }],
      ['kyberOneTimePreKeys', { kyberOneTimePreKeys: plainKyberPreKeys(keyIds(101)) }],
    ])('refuses a bad %s', async (path, change) => {
      expectInvalid(await publish(reader, { ...plain, ...change }), path);
    });

    it('accepts keyIds and registrationId up to 2^31 − 1', async () => {
      const max = 2 ** 31 - 1;
      const res = await publish(reader, {
        ...plain,
        registrationId: max,
        oneTimePreKeys: plainPreKeys([0, max]),
      });
      expect(res.status).toBe(200);
    });

    it('lets the same keyId appear once in each kind of list', async () => {
      const res = await publish(reader, {
        ...plain,
        oneTimePreKeys: plainPreKeys([1]),
        kyberOneTimePreKeys: plainKyberPreKeys([1]),
      });
      expect(res.body).toEqual({ count: 1, kyberCount: 1 });
    });
  });
});

describe('GET /api/keys/:userId/bundle', () => {
  let owner: RegisteredUser;
  let reader: RegisteredUser;
  let bare: RegisteredUser;

  beforeAll(async () => {
    [owner, reader, bare] = await Promise.all([
      registerUser(app),
      registerUser(app),
      registerUser(app),
    ]);
    const body = createPlainBundle({ oneTimeIds: [3, 1, 2], kyberOneTimeIds: [2, 1] });
    expect((await publish(owner, body)).status).toBe(200);
  });

  it('hands out one key of each pool, lowest keyId first, each at most once', async () => {
    const plain = createPlainBundle();
    const first = await fetchBundle(reader, owner.userId);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      identityKey: plain.identityKey,
      registrationId: plain.registrationId,
      signedPreKey: plain.signedPreKey,
      oneTimePreKey: { keyId: 1, publicKey: plainPreKeys([1])[0]!.publicKey },
      kyberPreKey: plainKyberPreKeys([1])[0],
    });
    const second = await fetchBundle(reader, owner.userId);
    expect(second.body.oneTimePreKey.keyId).toBe(2);
    expect(second.body.kyberPreKey.keyId).toBe(2);
    expect((await count(owner)).body).toEqual({ count: 1, kyberCount: 0 });
  });

  it('falls back to the last-resort Kyber key, then to null one-time keys', async () => {
    const third = await fetchBundle(reader, owner.userId);
    expect(third.body.oneTimePreKey.keyId).toBe(3);
    expect(third.body.kyberPreKey).toEqual(createPlainBundle().kyberPreKey);
    const fourth = await fetchBundle(reader, owner.userId);
    expect(fourth.body.oneTimePreKey).toBeNull();
    expect(fourth.body.kyberPreKey.keyId).toBe(500);
    expect((await count(owner)).body).toEqual({ count: 0, kyberCount: 0 });
  });

  it('lets users fetch their own bundle, consuming keys like any fetch', async () => {
    const self = await registerUser(app);
    await publish(self, createPlainBundle({ lastResort: false, kyberOneTimeIds: [] }));
    const res = await fetchBundle(self, self.userId);
    expect(res.status).toBe(200);
    expect(res.body.kyberPreKey).toBeNull();
    expect((await count(self)).body).toEqual({ count: 2, kyberCount: 0 });
  });

  it('pushes prekeys-low to the owner when a fetch leaves fewer than 10 keys', async () => {
    const low = await registerUser(app);
    await publish(low, createPlainBundle({ oneTimeIds: keyIds(10), kyberOneTimeIds: [] }));
    const received: unknown[] = [];
    const stop = test.notifier.subscribe(low.userId as UserId, 'c1', (push) =>
      received.push(JSON.parse(push.text)),
    );
    try {
      await fetchBundle(reader, low.userId);
      expect(received).toEqual([{ type: 'prekeys-low', payload: { count: 9, kyberCount: 0 } }]);
    } finally {
      stop();
    }
  });

  it('answers 404 BUNDLE_NOT_FOUND without a bundle, for unknown and malformed ids', async () => {
    for (const id of [bare.userId, UNKNOWN_ID, 'nope']) {
      const res = await fetchBundle(reader, id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: { code: 'BUNDLE_NOT_FOUND', message: expect.any(String) },
      });
    }
  });
});

describe('GET /api/keys/onetime/count', () => {
  it('answers { count: 0, kyberCount: 0 } before any publish', async () => {
    const fresh = await registerUser(app);
    const res = await count(fresh);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 0, kyberCount: 0 });
  });
});

describe('POST /api/keys/onetime/replenish', () => {
  let owner: RegisteredUser;

  beforeAll(async () => {
    owner = await registerUser(app);
  });

  it('answers 404 BUNDLE_NOT_FOUND before the first publish', async () => {
    const res = await replenish(owner, { oneTimePreKeys: plainPreKeys([1]) });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('BUNDLE_NOT_FOUND');
  });

  it('adds keys, skipping keyIds already in the pool', async () => {
    await publish(owner, createPlainBundle({ oneTimeIds: [1, 2], kyberOneTimeIds: [1] }));
    const res = await replenish(owner, {
      oneTimePreKeys: plainPreKeys([2, 3, 4]),
      kyberOneTimePreKeys: plainKyberPreKeys([1, 2]),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 4, kyberCount: 2 });
    const again = await replenish(owner, { oneTimePreKeys: plainPreKeys([2, 3, 4]) });
    expect(again.body).toEqual({ count: 4, kyberCount: 2 });
  });

  it('takes either list alone, absent or null standing for none', async () => {
    expect((await replenish(owner, { kyberOneTimePreKeys: plainKyberPreKeys([3]) })).body).toEqual({
      count: 4,
      kyberCount: 3,
    });
    expect(
      (await replenish(owner, { oneTimePreKeys: plainPreKeys([5]), kyberOneTimePreKeys: null }))
        .body,
    ).toEqual({ count: 5, kyberCount: 3 });
  });

  it('answers 400 at path "" when no key is given', async () => {
    for (const body of [
      {},
      { oneTimePreKeys: [] },
      { oneTimePreKeys: [], kyberOneTimePreKeys: [] },
    ]) {
      expectInvalid(await replenish(owner, body), '');
    }
  });

  it('validates keys as publish does', async () => {
    expectInvalid(
      await replenish(owner, { oneTimePreKeys: plainPreKeys(keyIds(101, 10)) }),
      'oneTimePreKeys',
    );
    expectInvalid(
      await replenish(owner, { oneTimePreKeys: plainPreKeys([9, 9]) }),
      'oneTimePreKeys.1.keyId',
    );
    expectInvalid(
      await replenish(owner, { oneTimePreKeys: [{ keyId: 9, publicKey: 'xyz' }] }),
      'oneTimePreKeys.0.publicKey',
    );
  });

  it('answers 409 POOL_FULL when the keys would overflow a pool, storing none', async () => {
    const full = await registerUser(app);
    await publish(full, createPlainBundle({ oneTimeIds: keyIds(100), kyberOneTimeIds: [] }));
    for (let batch = 1; batch < 10; batch++) {
      const res = await replenish(full, {
        oneTimePreKeys: plainPreKeys(keyIds(100, batch * 100 + 1)),
      });
      expect(res.status).toBe(200);
    }
    expect((await count(full)).body).toEqual({ count: 1000, kyberCount: 0 });
    const res = await replenish(full, {
      oneTimePreKeys: plainPreKeys([5000]),
      kyberOneTimePreKeys: plainKyberPreKeys([1]),
    });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'POOL_FULL', message: expect.any(String) } });
    expect((await count(full)).body).toEqual({ count: 1000, kyberCount: 0 });
  });

  it('answers 400 INVALID_SIGNATURE for a Kyber key not signed by the stored identity', async () => {
    const signed = await registerUser(app);
    const { identity, body } = createLibsignalBundle({ kyberOneTimeCount: 1 });
    expect((await publish(signed, body)).status).toBe(200);
    const good = createLibsignalKyberKeys(identity, [10, 11]);
    expect((await replenish(signed, { kyberOneTimePreKeys: good })).body).toEqual({
      count: 3,
      kyberCount: 3,
    });
    const bad = [...createLibsignalKyberKeys(identity, [12]), corruptSignature(good[0]!)];
    const res = await replenish(signed, {
      kyberOneTimePreKeys: [bad[0], { ...bad[1], keyId: 13 }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_SIGNATURE');
    expect((await count(signed)).body).toEqual({ count: 3, kyberCount: 3 });
  });
});
