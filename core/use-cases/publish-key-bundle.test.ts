import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import {
  type BundleBody,
  corruptSignature,
  createLibsignalBundle,
  createLibsignalSignatureVerifier,
  createPlainBundle,
  keyIds,
  plainEcKey,
  plainHex,
  plainKyberPreKeys,
  plainPreKeys,
} from '../../test/support/libsignal-keys.js';
import { DomainError, ValidationError } from '../errors.js';
import type { UserId } from '../model.js';
import { fetchBundle } from './fetch-bundle.js';
import { publishKeyBundle } from './publish-key-bundle.js';

const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const bob = '65a1b2c3d4e5f60718293a4c' as UserId;

function setup(real = false) {
  return createCoreDeps(real ? { signatures: createLibsignalSignatureVerifier() } : {});
}

// The `details` of the ValidationError `promise` rejects with.
async function issues(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).details;
}

async function paths(promise: Promise<unknown>): Promise<string[]> {
  return (await issues(promise)).map((issue) => issue.path);
}

describe('publishKeyBundle', () => {
  it('stores the bundle and answers the sizes of both one-time pools', async () => {
    const { deps } = setup();
    const body = createPlainBundle({ oneTimeIds: keyIds(5), kyberOneTimeIds: keyIds(2) });
    await expect(publishKeyBundle(deps, { userId: alice, ...body })).resolves.toEqual({
      count: 5,
      kyberCount: 2,
    });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched).toEqual({
      identityKey: body.identityKey,
      registrationId: body.registrationId,
      signedPreKey: body.signedPreKey,
      oneTimePreKey: body.oneTimePreKeys[0],
      kyberPreKey: body.kyberOneTimePreKeys?.[0],
    });
  });

  it('accepts an empty oneTimePreKeys and no Kyber keys at all', async () => {
    const { deps } = setup();
    const { kyberPreKey: _, kyberOneTimePreKeys: __, ...body } = createPlainBundle();
    await expect(
      publishKeyBundle(deps, { userId: alice, ...body, oneTimePreKeys: [] }),
    ).resolves.toEqual({ count: 0, kyberCount: 0 });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.oneTimePreKey).toBeNull();
    expect(fetched.kyberPreKey).toBeNull();
  });

  it('accepts hex of either case and stores it lowercase', async () => {
    const { deps } = setup();
    const body = createPlainBundle({ oneTimeIds: [1], kyberOneTimeIds: [1] });
    const upper: BundleBody = {
      ...body,
      identityKey: body.identityKey.toUpperCase(),
      signedPreKey: {
        ...body.signedPreKey,
        publicKey: body.signedPreKey.publicKey.toUpperCase(),
        signature: body.signedPreKey.signature.toUpperCase(),
      },
      oneTimePreKeys: body.oneTimePreKeys.map((k) => ({
        ...k,
        publicKey: k.publicKey.toUpperCase(),
      })),
      kyberOneTimePreKeys: body.kyberOneTimePreKeys?.map((k) => ({
        ...k,
        publicKey: k.publicKey.toUpperCase(),
        signature: k.signature.toUpperCase(),
      })),
    };
    expect(upper.identityKey).not.toBe(body.identityKey);
    await publishKeyBundle(deps, { userId: alice, ...upper });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.identityKey).toBe(body.identityKey);
    expect(fetched.signedPreKey).toEqual(body.signedPreKey);
    expect(fetched.oneTimePreKey).toEqual(body.oneTimePreKeys[0]);
    expect(fetched.kyberPreKey).toEqual(body.kyberOneTimePreKeys?.[0]);
  });

  it('replaces the whole bundle and both pools', async () => {
    const { deps } = setup();
    await publishKeyBundle(deps, {
      userId: alice,
      ...createPlainBundle({ oneTimeIds: keyIds(5), kyberOneTimeIds: keyIds(5) }),
    });
    const second = createPlainBundle({ oneTimeIds: [50, 51], kyberOneTimeIds: [], salt: 1 });
    await expect(publishKeyBundle(deps, { userId: alice, ...second })).resolves.toEqual({
      count: 2,
      kyberCount: 0,
    });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.identityKey).toBe(second.identityKey);
    expect(fetched.signedPreKey).toEqual(second.signedPreKey);
    expect(fetched.oneTimePreKey).toEqual(second.oneTimePreKeys[0]);
    expect(fetched.kyberPreKey).toEqual(second.kyberPreKey);
  });

  it('does not put back a keyId already handed out while the identity key stays the same', async () => {
    const { deps } = setup();
    const body = createPlainBundle({ oneTimeIds: keyIds(3), kyberOneTimeIds: keyIds(3) });
    await publishKeyBundle(deps, { userId: alice, ...body });
    const first = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(first.oneTimePreKey?.keyId).toBe(1);
    expect(first.kyberPreKey?.keyId).toBe(1);

    // A retry after a lost response uploads the same keys again.
    await expect(publishKeyBundle(deps, { userId: alice, ...body })).resolves.toEqual({
      count: 2,
      kyberCount: 2,
    });
    const next = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(next.oneTimePreKey?.keyId).toBe(2);
    expect(next.kyberPreKey?.keyId).toBe(2);
  });

  it('starts a fresh record of handed-out keyIds when the identity key changes', async () => {
    const { deps } = setup();
    await publishKeyBundle(deps, { userId: alice, ...createPlainBundle() });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });

    const reinstalled = createPlainBundle({ salt: 1 });
    await expect(publishKeyBundle(deps, { userId: alice, ...reinstalled })).resolves.toEqual({
      count: 3,
      kyberCount: 3,
    });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.oneTimePreKey).toEqual(reinstalled.oneTimePreKeys[0]);
    expect(fetched.kyberPreKey).toEqual(reinstalled.kyberOneTimePreKeys?.[0]);
  });

  it('keeps separate keyId namespaces per kind', async () => {
    const { deps } = setup();
    const body = createPlainBundle({ oneTimeIds: [1, 2], kyberOneTimeIds: [1, 2] });
    await expect(
      publishKeyBundle(deps, {
        userId: alice,
        ...body,
        signedPreKey: { ...body.signedPreKey, keyId: 1 },
        kyberPreKey: plainKyberPreKeys([1], 3)[0],
      }),
    ).resolves.toEqual({ count: 2, kyberCount: 2 });
  });

  describe('key material rules', () => {
    it('accepts EC keys of 32 bytes and of 33 bytes starting with 05', async () => {
      const { deps } = setup();
      const libsignalForm = `05${plainEcKey(1)}`;
      const body = createPlainBundle();
      await expect(
        publishKeyBundle(deps, {
          userId: alice,
          ...body,
          oneTimePreKeys: [
            { keyId: 1, publicKey: plainEcKey(1) },
            { keyId: 2, publicKey: libsignalForm },
          ],
          signedPreKey: { ...body.signedPreKey, publicKey: libsignalForm },
        }),
      ).resolves.toEqual({ count: 2, kyberCount: 3 });
    });

    it('refuses identity keys of any other length or type byte', async () => {
      const { deps } = setup();
      for (const identityKey of [
        plainHex(31, 1),
        plainHex(34, 1),
        `06${plainEcKey(1)}`,
        `${plainEcKey(1)}00`,
        '',
      ]) {
        const body = { ...createPlainBundle(), identityKey };
        expect(await paths(publishKeyBundle(deps, { userId: alice, ...body }))).toEqual([
          'identityKey',
        ]);
      }
    });

    it('refuses text that is not whole bytes of hex', async () => {
      const { deps } = setup();
      for (const publicKey of ['', 'xyz', `${plainEcKey(1)}0`, `0x${plainEcKey(1).slice(2)}`]) {
        const body = createPlainBundle();
        const oneTimePreKeys = [body.oneTimePreKeys[0]!, { keyId: 9, publicKey }];
        expect(
          await paths(publishKeyBundle(deps, { userId: alice, ...body, oneTimePreKeys })),
        ).toEqual(['oneTimePreKeys.1.publicKey']);
      }
    });

    it('names each offending field by its path from the body root', async () => {
      const { deps } = setup();
      const body = createPlainBundle({ oneTimeIds: keyIds(5) });
      const oneTimePreKeys = body.oneTimePreKeys.map((key, i) =>
        i === 3 ? { ...key, keyId: -1 } : key,
      );
      const kyberOneTimePreKeys = (body.kyberOneTimePreKeys ?? []).map((key, i) =>
        i === 0 ? { ...key, signature: plainHex(63, 1) } : key,
      );
      const found = await issues(
        publishKeyBundle(deps, {
          userId: alice,
          ...body,
          registrationId: 1.5,
          signedPreKey: { ...body.signedPreKey, publicKey: `07${plainEcKey(2)}` },
          oneTimePreKeys,
          kyberPreKey: { ...body.kyberPreKey!, publicKey: plainHex(1568, 3) },
          kyberOneTimePreKeys,
        }),
      );
      expect(found.map((issue) => issue.path)).toEqual([
        'registrationId',
        'signedPreKey.publicKey',
        'oneTimePreKeys.3.keyId',
        'kyberPreKey.publicKey',
        'kyberOneTimePreKeys.0.signature',
      ]);
      for (const issue of found) expect(issue.message).not.toBe('');
    });

    it('wants Kyber public keys of exactly 1569 bytes and signatures of exactly 64', async () => {
      const { deps } = setup();
      const body = createPlainBundle({ kyberOneTimeIds: [1] });
      const kyber = body.kyberOneTimePreKeys![0]!;
      for (const [key, path] of [
        [{ ...kyber, publicKey: plainHex(1570, 1) }, 'kyberOneTimePreKeys.0.publicKey'],
        [{ ...kyber, publicKey: plainHex(33, 1) }, 'kyberOneTimePreKeys.0.publicKey'],
        [{ ...kyber, signature: plainHex(65, 1) }, 'kyberOneTimePreKeys.0.signature'],
        [{ ...kyber, signature: '' }, 'kyberOneTimePreKeys.0.signature'],
      ] as const) {
        expect(
          await paths(
            publishKeyBundle(deps, { userId: alice, ...body, kyberOneTimePreKeys: [key] }),
          ),
        ).toEqual([path]);
      }
      expect(
        await paths(
          publishKeyBundle(deps, {
            userId: alice,
            ...body,
            signedPreKey: { ...body.signedPreKey, signature: plainHex(32, 1) },
          }),
        ),
      ).toEqual(['signedPreKey.signature']);
    });

    it('wants registrationId and keyIds to be integers 0 … 2³¹−1', async () => {
      const { deps } = setup();
      const body = createPlainBundle();
      const ok = { ...body, registrationId: 2 ** 31 - 1, oneTimePreKeys: plainPreKeys([0]) };
      await expect(publishKeyBundle(deps, { userId: alice, ...ok })).resolves.toBeDefined();
      for (const bad of [-1, 1.5, 2 ** 31, Number.NaN]) {
        expect(
          await paths(
            publishKeyBundle(deps, {
              userId: alice,
              ...body,
              registrationId: bad,
              signedPreKey: { ...body.signedPreKey, keyId: bad },
              kyberPreKey: { ...body.kyberPreKey!, keyId: bad },
            }),
          ),
        ).toEqual(['registrationId', 'signedPreKey.keyId', 'kyberPreKey.keyId']);
      }
    });

    it('takes at most 100 one-time keys of each kind per request', async () => {
      const { deps } = setup();
      const full = createPlainBundle({ oneTimeIds: keyIds(100), kyberOneTimeIds: keyIds(100) });
      await expect(publishKeyBundle(deps, { userId: alice, ...full })).resolves.toEqual({
        count: 100,
        kyberCount: 100,
      });
      const over = createPlainBundle({ oneTimeIds: keyIds(101), kyberOneTimeIds: keyIds(101) });
      expect(await paths(publishKeyBundle(deps, { userId: bob, ...over }))).toEqual([
        'oneTimePreKeys',
        'kyberOneTimePreKeys',
      ]);
    });

    it('refuses a keyId repeated inside one list', async () => {
      const { deps } = setup();
      const body = createPlainBundle({ oneTimeIds: [4, 5, 4], kyberOneTimeIds: [1, 1] });
      expect(await paths(publishKeyBundle(deps, { userId: alice, ...body }))).toEqual([
        'oneTimePreKeys.2.keyId',
        'kyberOneTimePreKeys.1.keyId',
      ]);
    });

    it('stores nothing when the material is invalid', async () => {
      const { deps } = setup();
      const old = createPlainBundle();
      await publishKeyBundle(deps, { userId: alice, ...old });
      const bad = { ...createPlainBundle({ salt: 1 }), registrationId: -1 };
      await expect(publishKeyBundle(deps, { userId: alice, ...bad })).rejects.toBeInstanceOf(
        ValidationError,
      );
      const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
      expect(fetched.identityKey).toBe(old.identityKey);
    });
  });

  describe('signatures', () => {
    it('accepts a bundle made and signed with libsignal', async () => {
      const { deps } = setup(true);
      const { body } = createLibsignalBundle({ oneTimeCount: 4, kyberOneTimeCount: 2 });
      await expect(publishKeyBundle(deps, { userId: alice, ...body })).resolves.toEqual({
        count: 4,
        kyberCount: 2,
      });
      const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
      expect(fetched.identityKey).toBe(body.identityKey);
      expect(fetched.kyberPreKey).toEqual(body.kyberOneTimePreKeys?.[0]);
    });

    it('refuses the whole bundle when any one signature is bad, storing nothing', async () => {
      const { deps } = setup(true);
      const old = createLibsignalBundle({ oneTimeCount: 2, kyberOneTimeCount: 1 }).body;
      await publishKeyBundle(deps, { userId: alice, ...old });
      const { body } = createLibsignalBundle({ oneTimeCount: 5, kyberOneTimeCount: 3 });
      const kyber = body.kyberOneTimePreKeys ?? [];
      const variants: BundleBody[] = [
        { ...body, signedPreKey: corruptSignature(body.signedPreKey) },
        { ...body, kyberPreKey: corruptSignature(body.kyberPreKey!) },
        ...kyber.map((_, bad) => ({
          ...body,
          kyberOneTimePreKeys: kyber.map((key, i) => (i === bad ? corruptSignature(key) : key)),
        })),
      ];
      for (const variant of variants) {
        const error = await publishKeyBundle(deps, { userId: alice, ...variant }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).code).toBe('INVALID_SIGNATURE');
        await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 2, kyberCount: 1 });
      }
      const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
      expect(fetched.identityKey).toBe(old.identityKey);
      expect(fetched.oneTimePreKey).toEqual(old.oneTimePreKeys[0]);
    });

    it('refuses keys signed by another identity key', async () => {
      const { deps } = setup(true);
      const { body } = createLibsignalBundle();
      const other = createLibsignalBundle().body;
      await expect(
        publishKeyBundle(deps, { userId: alice, ...body, signedPreKey: other.signedPreKey }),
      ).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
      await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 0, kyberCount: 0 });
    });

    it('stores signatures unchecked when the identity key is 32 raw bytes', async () => {
      // The default test verifier rejects everything, so any check would fail.
      const { deps } = setup();
      const body = createPlainBundle();
      await expect(publishKeyBundle(deps, { userId: alice, ...body })).resolves.toEqual({
        count: 3,
        kyberCount: 3,
      });
    });

    it('checks the key material before the signatures', async () => {
      const { deps } = setup(true);
      const { body } = createLibsignalBundle();
      await expect(
        publishKeyBundle(deps, {
          userId: alice,
          ...body,
          signedPreKey: corruptSignature(body.signedPreKey),
          registrationId: -1,
        }),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
