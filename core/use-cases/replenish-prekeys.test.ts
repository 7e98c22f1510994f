import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import {
  corruptSignature,
  createLibsignalBundle,
  createLibsignalKyberKeys,
  createLibsignalSignatureVerifier,
  createPlainBundle,
  keyIds,
  plainHex,
  plainKyberPreKeys,
  plainPreKeys,
} from '../../test/support/libsignal-keys.js';
import { type DomainError, ValidationError } from '../errors.js';
import type { UserId } from '../model.js';
import { fetchBundle } from './fetch-bundle.js';
import { publishKeyBundle } from './publish-key-bundle.js';
import { replenishPrekeys } from './replenish-prekeys.js';

const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const bob = '65a1b2c3d4e5f60718293a4c' as UserId;

async function published(options: Parameters<typeof createPlainBundle>[0] = {}) {
  const core = createCoreDeps();
  await publishKeyBundle(core.deps, { userId: alice, ...createPlainBundle(options) });
  return core;
}

async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as DomainError,
  );
}

async function paths(promise: Promise<unknown>): Promise<string[]> {
  const error = await errorOf(promise);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).details.map((issue) => issue.path);
}

describe('replenishPrekeys', () => {
  it('adds keys to both pools and answers their sizes', async () => {
    const { deps } = await published();
    await expect(
      replenishPrekeys(deps, {
        userId: alice,
        oneTimePreKeys: plainPreKeys([10, 11]),
        kyberOneTimePreKeys: plainKyberPreKeys([10]),
      }),
    ).resolves.toEqual({ count: 5, kyberCount: 4 });
    await expect(
      replenishPrekeys(deps, { userId: alice, kyberOneTimePreKeys: plainKyberPreKeys([12]) }),
    ).resolves.toEqual({ count: 5, kyberCount: 5 });
  });

  it('answers the current sizes, never SERVICE_UNAVAILABLE, while new identity keys keep landing', async () => {
    const { deps } = await published({ oneTimeIds: [1, 2] });
    let salt = 0;
    // Every attempt finds a publish of another identity key landed after its read.
    const keyBundles = {
      ...deps.keyBundles,
      replenish: async (...args: Parameters<typeof deps.keyBundles.replenish>) => {
        const next = createPlainBundle({ oneTimeIds: [7], kyberOneTimeIds: [], salt: ++salt });
        await publishKeyBundle(deps, { userId: alice, ...next });
        return deps.keyBundles.replenish(...args);
      },
    };
    await expect(
      replenishPrekeys(
        { ...deps, keyBundles },
        { userId: alice, oneTimePreKeys: plainPreKeys([10, 11]) },
      ),
    ).resolves.toEqual({ count: 1, kyberCount: 0 });
    expect(salt).toBe(3);
  });

  it('answers BUNDLE_NOT_FOUND before the first publish', async () => {
    const { deps } = createCoreDeps();
    const error = await errorOf(
      replenishPrekeys(deps, { userId: alice, oneTimePreKeys: plainPreKeys([1]) }),
    );
    expect(error.code).toBe('BUNDLE_NOT_FOUND');
  });

  it('wants at least one non-empty list', async () => {
    const { deps } = await published();
    for (const input of [
      {},
      { oneTimePreKeys: [] },
      { oneTimePreKeys: [], kyberOneTimePreKeys: [] },
    ]) {
      expect(await paths(replenishPrekeys(deps, { userId: alice, ...input }))).toEqual(['']);
    }
  });

  it('applies the key material rules, naming every offending field', async () => {
    const { deps } = await published();
    const kyber = plainKyberPreKeys([1, 2, 3]);
    expect(
      await paths(
        replenishPrekeys(deps, {
          userId: alice,
          oneTimePreKeys: [
            ...plainPreKeys([5, 6, 7]),
            { keyId: 2 ** 31, publicKey: plainHex(33, 1) },
            ...plainPreKeys([5]),
          ],
          kyberOneTimePreKeys: [
            kyber[0]!,
            { ...kyber[1]!, publicKey: plainHex(1568, 2) },
            { ...kyber[2]!, signature: 'zz' },
          ],
        }),
      ),
    ).toEqual([
      'oneTimePreKeys.3.keyId',
      'oneTimePreKeys.3.publicKey',
      'oneTimePreKeys.4.keyId',
      'kyberOneTimePreKeys.1.publicKey',
      'kyberOneTimePreKeys.2.signature',
    ]);
    await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 3, kyberCount: 3 });
  });

  it('takes at most 100 keys of each kind per request', async () => {
    const { deps } = await published({ oneTimeIds: [], kyberOneTimeIds: [] });
    expect(
      await paths(
        replenishPrekeys(deps, {
          userId: alice,
          oneTimePreKeys: plainPreKeys(keyIds(101)),
          kyberOneTimePreKeys: plainKyberPreKeys(keyIds(100)),
        }),
      ),
    ).toEqual(['oneTimePreKeys']);
    await expect(
      replenishPrekeys(deps, {
        userId: alice,
        oneTimePreKeys: plainPreKeys(keyIds(100)),
        kyberOneTimePreKeys: plainKyberPreKeys(keyIds(100)),
      }),
    ).resolves.toEqual({ count: 100, kyberCount: 100 });
  });

  it('is harmless to retry: keys already in the pool are skipped', async () => {
    const { deps } = await published();
    const input = {
      userId: alice,
      oneTimePreKeys: plainPreKeys([3, 4, 5]),
      kyberOneTimePreKeys: plainKyberPreKeys([4]),
    };
    await expect(replenishPrekeys(deps, input)).resolves.toEqual({ count: 5, kyberCount: 4 });
    await expect(replenishPrekeys(deps, input)).resolves.toEqual({ count: 5, kyberCount: 4 });
  });

  it('keeps the key already in the pool when a keyId comes again with another key', async () => {
    const { deps } = await published({ oneTimeIds: [1], kyberOneTimeIds: [] });
    await replenishPrekeys(deps, { userId: alice, oneTimePreKeys: plainPreKeys([1], 7) });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.oneTimePreKey).toEqual(plainPreKeys([1])[0]);
  });

  it('never re-adds a keyId handed out under the current identity key', async () => {
    const { deps } = await published({ oneTimeIds: [1, 2], kyberOneTimeIds: [1] });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    await expect(
      replenishPrekeys(deps, {
        userId: alice,
        oneTimePreKeys: plainPreKeys([1, 2, 3]),
        kyberOneTimePreKeys: plainKyberPreKeys([1, 2]),
      }),
    ).resolves.toEqual({ count: 2, kyberCount: 1 });
    const next = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(next.oneTimePreKey?.keyId).toBe(2);
    expect(next.kyberPreKey?.keyId).toBe(2);
  });

  it('adds such a keyId again once the identity key has changed', async () => {
    const { deps } = await published({ oneTimeIds: [1], kyberOneTimeIds: [1] });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    const fresh = createPlainBundle({ oneTimeIds: [], kyberOneTimeIds: [], salt: 1 });
    await publishKeyBundle(deps, { userId: alice, ...fresh });
    await expect(
      replenishPrekeys(deps, {
        userId: alice,
        oneTimePreKeys: plainPreKeys([1], 1),
        kyberOneTimePreKeys: plainKyberPreKeys([1], 1),
      }),
    ).resolves.toEqual({ count: 1, kyberCount: 1 });
    const fetched = await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    expect(fetched.oneTimePreKey?.keyId).toBe(1);
    expect(fetched.kyberPreKey?.keyId).toBe(1);
  });

  describe('pool cap', () => {
    // Fills both pools to `size` keys (keyIds 1 … size).
    async function filled(size: number) {
      const core = createCoreDeps();
      const ids = keyIds(size);
      await publishKeyBundle(core.deps, {
        userId: alice,
        ...createPlainBundle({ oneTimeIds: ids.slice(0, 100), kyberOneTimeIds: ids.slice(0, 100) }),
      });
      for (let from = 100; from < size; from += 100) {
        const chunk = ids.slice(from, from + 100);
        await replenishPrekeys(core.deps, {
          userId: alice,
          oneTimePreKeys: plainPreKeys(chunk),
          kyberOneTimePreKeys: plainKyberPreKeys(chunk),
        });
      }
      return core;
    }

    it('fills a pool up to exactly 1000 keys', async () => {
      const { deps } = await filled(990);
      await expect(
        replenishPrekeys(deps, {
          userId: alice,
          oneTimePreKeys: plainPreKeys(keyIds(10, 991)),
          kyberOneTimePreKeys: plainKyberPreKeys(keyIds(10, 991)),
        }),
      ).resolves.toEqual({ count: 1000, kyberCount: 1000 });
    });

    it('answers POOL_FULL and stores nothing when either pool would overflow', async () => {
      const { deps } = await filled(995);
      const error = await errorOf(
        replenishPrekeys(deps, {
          userId: alice,
          oneTimePreKeys: plainPreKeys(keyIds(5, 996)),
          kyberOneTimePreKeys: plainKyberPreKeys(keyIds(6, 996)),
        }),
      );
      expect(error.code).toBe('POOL_FULL');
      await expect(deps.keyBundles.count(alice)).resolves.toEqual({
        count: 995,
        kyberCount: 995,
      });
    });

    it('counts only the keys that would actually be added', async () => {
      const { deps } = await filled(1000);
      // All present already: nothing to add, so nothing overflows.
      await expect(
        replenishPrekeys(deps, { userId: alice, oneTimePreKeys: plainPreKeys(keyIds(100)) }),
      ).resolves.toEqual({ count: 1000, kyberCount: 1000 });
      const error = await errorOf(
        replenishPrekeys(deps, { userId: alice, oneTimePreKeys: plainPreKeys([1001]) }),
      );
      expect(error.code).toBe('POOL_FULL');
    });
  });

  describe('signatures', () => {
    async function libsignalPublished() {
      const core = createCoreDeps({ signatures: createLibsignalSignatureVerifier() });
      const { identity, body } = createLibsignalBundle({ oneTimeCount: 1, kyberOneTimeCount: 1 });
      await publishKeyBundle(core.deps, { userId: alice, ...body });
      return { ...core, identity };
    }

    it('accepts Kyber keys signed by the stored libsignal identity key', async () => {
      const { deps, identity } = await libsignalPublished();
      await expect(
        replenishPrekeys(deps, {
          userId: alice,
          kyberOneTimePreKeys: createLibsignalKyberKeys(identity, [10, 11]),
        }),
      ).resolves.toEqual({ count: 1, kyberCount: 3 });
    });

    it('refuses the whole request for one bad signature, storing nothing', async () => {
      const { deps, identity } = await libsignalPublished();
      const [good, bad] = createLibsignalKyberKeys(identity, [10, 11]);
      const error = await errorOf(
        replenishPrekeys(deps, {
          userId: alice,
          oneTimePreKeys: plainPreKeys([20]),
          kyberOneTimePreKeys: [good!, corruptSignature(bad!)],
        }),
      );
      expect(error.code).toBe('INVALID_SIGNATURE');
      await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 1, kyberCount: 1 });
    });

    it('checks the keys again when a publish with a new identity key lands in between', async () => {
      const { deps, identity } = await libsignalPublished();
      const next = createLibsignalBundle({ oneTimeCount: 1, kyberOneTimeCount: 1 });
      // The publish lands after the signatures were checked against the old identity key.
      let raced = false;
      const keyBundles = {
        ...deps.keyBundles,
        replenish: async (...args: Parameters<typeof deps.keyBundles.replenish>) => {
          if (!raced) {
            raced = true;
            await publishKeyBundle(deps, { userId: alice, ...next.body });
          }
          return deps.keyBundles.replenish(...args);
        },
      };
      const error = await errorOf(
        replenishPrekeys(
          { ...deps, keyBundles },
          { userId: alice, kyberOneTimePreKeys: createLibsignalKyberKeys(identity, [10, 11]) },
        ),
      );
      expect(error.code).toBe('INVALID_SIGNATURE');
      await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 1, kyberCount: 1 });
    });

    it('refuses Kyber keys signed by another identity key', async () => {
      const { deps } = await libsignalPublished();
      const stranger = createLibsignalBundle({ oneTimeCount: 0, kyberOneTimeCount: 0 }).identity;
      const error = await errorOf(
        replenishPrekeys(deps, {
          userId: alice,
          kyberOneTimePreKeys: createLibsignalKyberKeys(stranger, [10]),
        }),
      );
      expect(error.code).toBe('INVALID_SIGNATURE');
    });

    it('stores signatures unchecked under a 32-byte identity key', async () => {
      // The default test verifier rejects everything.
      const { deps } = await published();
      await expect(
        replenishPrekeys(deps, { userId: alice, kyberOneTimePreKeys: plainKyberPreKeys([9]) }),
      ).resolves.toEqual({ count: 3, kyberCount: 4 });
    });
  });
});
