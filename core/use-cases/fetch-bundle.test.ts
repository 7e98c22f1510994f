import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { createPlainBundle, keyIds } from '../../test/support/libsignal-keys.js';
import type { DomainError } from '../errors.js';
import type { UserId } from '../model.js';
import type { KeyBundleRepository } from '../ports/key-bundle-repository.js';
import { fetchBundle } from './fetch-bundle.js';
import { publishKeyBundle } from './publish-key-bundle.js';
import { replenishPrekeys } from './replenish-prekeys.js';

const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const bob = '65a1b2c3d4e5f60718293a4c' as UserId;

async function setupWith(options: Parameters<typeof createPlainBundle>[0] = {}) {
  const core = createCoreDeps();
  const body = createPlainBundle(options);
  await publishKeyBundle(core.deps, { userId: alice, ...body });
  return { ...core, body };
}

const fetchAlice = (deps: Parameters<typeof fetchBundle>[0]) =>
  fetchBundle(deps, { requesterId: bob, ownerId: alice });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return (error as DomainError | null)?.code;
}

describe('fetchBundle', () => {
  it('answers BUNDLE_NOT_FOUND for a user without a bundle, unknown or malformed', async () => {
    const { deps } = createCoreDeps();
    for (const ownerId of [alice, 'not-an-id', '']) {
      expect(await codeOf(fetchBundle(deps, { requesterId: bob, ownerId }))).toBe(
        'BUNDLE_NOT_FOUND',
      );
    }
  });

  it('hands out the bundle with the lowest one-time key of each pool', async () => {
    const { deps, body } = await setupWith({ oneTimeIds: [30, 4, 12], kyberOneTimeIds: [9, 2] });
    const fetched = await fetchAlice(deps);
    expect(fetched).toEqual({
      identityKey: body.identityKey,
      registrationId: body.registrationId,
      signedPreKey: body.signedPreKey,
      oneTimePreKey: body.oneTimePreKeys[1],
      kyberPreKey: body.kyberOneTimePreKeys?.[1],
    });
    await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 2, kyberCount: 1 });
  });

  it('hands out one-time keys in ascending keyId order, each once', async () => {
    const { deps } = await setupWith({ oneTimeIds: [7, 3, 5, 1], kyberOneTimeIds: [8, 6] });
    await replenishPrekeys(deps, {
      userId: alice,
      oneTimePreKeys: createPlainBundle({ oneTimeIds: [4, 2] }).oneTimePreKeys,
    });
    const ec: (number | undefined)[] = [];
    const kyber: (number | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      const fetched = await fetchAlice(deps);
      ec.push(fetched.oneTimePreKey?.keyId);
      kyber.push(fetched.kyberPreKey?.keyId);
    }
    expect(ec).toEqual([1, 2, 3, 4, 5, 7, undefined]);
    // 500 is the last-resort key.
    expect(kyber).toEqual([6, 8, 500, 500, 500, 500, 500]);
  });

  it('hands out each one-time key once under many concurrent fetches', async () => {
    const { deps, body } = await setupWith({
      oneTimeIds: keyIds(30),
      kyberOneTimeIds: keyIds(20),
    });
    const fetched = await Promise.all(Array.from({ length: 50 }, () => fetchAlice(deps)));
    const ec = fetched.flatMap((f) => (f.oneTimePreKey ? [f.oneTimePreKey.keyId] : []));
    expect(ec.toSorted((a, b) => a - b)).toEqual(keyIds(30));
    expect(fetched.filter((f) => f.oneTimePreKey === null)).toHaveLength(20);
    const kyber = fetched.map((f) => f.kyberPreKey?.keyId);
    const oneTimeKyber = kyber.filter((id) => id !== 500);
    expect(oneTimeKyber.toSorted((a, b) => a! - b!)).toEqual(keyIds(20));
    const lastResort = fetched.filter((f) => f.kyberPreKey?.keyId === 500);
    expect(lastResort).toHaveLength(30);
    for (const f of lastResort) expect(f.kyberPreKey).toEqual(body.kyberPreKey);
    await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 0, kyberCount: 0 });
  });

  it('falls back to the last-resort Kyber key, which is never consumed or counted', async () => {
    const { deps, body } = await setupWith({ oneTimeIds: [], kyberOneTimeIds: [] });
    for (let i = 0; i < 3; i++) {
      const fetched = await fetchAlice(deps);
      expect(fetched.oneTimePreKey).toBeNull();
      expect(fetched.kyberPreKey).toEqual(body.kyberPreKey);
    }
    await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 0, kyberCount: 0 });
  });

  it('answers a null kyberPreKey when the user published no Kyber keys', async () => {
    const { deps } = await setupWith({ kyberOneTimeIds: [], lastResort: false });
    const fetched = await fetchAlice(deps);
    expect(fetched.oneTimePreKey?.keyId).toBe(1);
    expect(fetched.kyberPreKey).toBeNull();
  });

  it('lets users fetch their own bundle, which consumes keys like any fetch', async () => {
    const { deps } = await setupWith();
    const own = await fetchBundle(deps, { requesterId: alice, ownerId: alice });
    expect(own.oneTimePreKey?.keyId).toBe(1);
    await expect(deps.keyBundles.count(alice)).resolves.toEqual({ count: 2, kyberCount: 2 });
    expect((await fetchAlice(deps)).oneTimePreKey?.keyId).toBe(2);
  });

  describe('racing a publish', () => {
    // Runs `race` (`times` times) around `method`, then delegates.
    function racing(
      inner: KeyBundleRepository,
      method: 'find' | 'claimPreKey' | 'claimKyberPreKey',
      race: (inner: KeyBundleRepository) => Promise<unknown>,
      times = 1,
    ): KeyBundleRepository {
      let left = times;
      const maybeRace = async () => {
        if (left-- > 0) await race(inner);
      };
      const wrapped: KeyBundleRepository = {
        ...inner,
        find: async (userId) => {
          const found = await inner.find(userId);
          if (method === 'find') await maybeRace();
          return found;
        },
        claimPreKey: async (userId, generation) => {
          if (method === 'claimPreKey') await maybeRace();
          return inner.claimPreKey(userId, generation);
        },
        claimKyberPreKey: async (userId, generation) => {
          if (method === 'claimKyberPreKey') await maybeRace();
          return inner.claimKyberPreKey(userId, generation);
        },
      };
      return wrapped;
    }

    for (const method of ['find', 'claimPreKey', 'claimKyberPreKey'] as const) {
      it(`answers the bundle it read, whole, when a publish lands during ${method}`, async () => {
        const { deps, body } = await setupWith();
        const second = createPlainBundle({ oneTimeIds: [11, 12], kyberOneTimeIds: [21], salt: 1 });
        const keyBundles = racing(deps.keyBundles, method, (inner) =>
          publishKeyBundle({ ...deps, keyBundles: inner }, { userId: alice, ...second }),
        );
        // The fetch counts as having come just before the publish.
        expect(await fetchAlice({ ...deps, keyBundles })).toEqual({
          identityKey: body.identityKey,
          registrationId: body.registrationId,
          signedPreKey: body.signedPreKey,
          oneTimePreKey: body.oneTimePreKeys[0],
          kyberPreKey: body.kyberOneTimePreKeys?.[0],
        });
        expect(await fetchAlice(deps)).toEqual({
          identityKey: second.identityKey,
          registrationId: second.registrationId,
          signedPreKey: second.signedPreKey,
          oneTimePreKey: second.oneTimePreKeys[0],
          kyberPreKey: second.kyberOneTimePreKeys?.[0],
        });
      });
    }

    it('never hands out a key twice when the new publish keeps the identity key', async () => {
      const { deps, body } = await setupWith();
      const second = {
        ...body,
        signedPreKey: { ...body.signedPreKey, keyId: 2 },
        kyberOneTimePreKeys: [],
      };
      const keyBundles = racing(deps.keyBundles, 'claimKyberPreKey', (inner) =>
        publishKeyBundle({ ...deps, keyBundles: inner }, { userId: alice, ...second }),
      );
      const fetched = await fetchAlice({ ...deps, keyBundles });
      expect(fetched.signedPreKey.keyId).toBe(1);
      expect(fetched.oneTimePreKey?.keyId).toBe(1);
      expect(fetched.kyberPreKey).toEqual(body.kyberOneTimePreKeys?.[0]);
      // Key 1 was handed out under this identity key, so the second publish left it out.
      const next = await fetchAlice(deps);
      expect(next.signedPreKey.keyId).toBe(2);
      expect(next.oneTimePreKey?.keyId).toBe(2);
      expect(next.kyberPreKey).toEqual(second.kyberPreKey);
    });

    it('answers from one publish, never SERVICE_UNAVAILABLE, while publishes keep landing', async () => {
      const { deps, body } = await setupWith();
      let salt = 0;
      const keyBundles = racing(
        deps.keyBundles,
        'find',
        (inner) =>
          publishKeyBundle(
            { ...deps, keyBundles: inner },
            { userId: alice, ...createPlainBundle({ salt: ++salt }) },
          ),
        Number.POSITIVE_INFINITY,
      );
      const fetched = await fetchAlice({ ...deps, keyBundles });
      expect(fetched.signedPreKey).toEqual(body.signedPreKey);
      expect(fetched.oneTimePreKey).toEqual(body.oneTimePreKeys[0]);
      const later = await fetchAlice({ ...deps, keyBundles });
      expect(later.signedPreKey).toEqual(createPlainBundle({ salt: 1 }).signedPreKey);
      expect(later.oneTimePreKey).toEqual(createPlainBundle({ salt: 1 }).oneTimePreKeys[0]);
    });
  });

  describe('prekeys-low', () => {
    it('tells the owner when a fetch leaves the EC pool below 10', async () => {
      const { deps, notifier } = await setupWith({
        oneTimeIds: keyIds(11),
        kyberOneTimeIds: keyIds(20),
      });
      await fetchAlice(deps);
      expect(notifier.sent).toEqual([]);
      await fetchAlice(deps);
      expect(notifier.sent).toEqual([
        {
          userId: alice,
          notification: { type: 'prekeys-low', counts: { count: 9, kyberCount: 18 } },
          exceptConnectionId: undefined,
        },
      ]);
    });

    it('tells the owner when a fetch leaves the Kyber one-time pool below 10', async () => {
      const { deps, notifier } = await setupWith({
        oneTimeIds: keyIds(20),
        kyberOneTimeIds: keyIds(10),
      });
      await fetchAlice(deps);
      expect(notifier.sent.map((s) => s.notification)).toEqual([
        { type: 'prekeys-low', counts: { count: 19, kyberCount: 9 } },
      ]);
    });

    it('sends one notification per fetch even when both pools run low', async () => {
      const { deps, notifier } = await setupWith({ oneTimeIds: keyIds(3), kyberOneTimeIds: [1] });
      await fetchAlice(deps);
      expect(notifier.sent.map((s) => s.notification)).toEqual([
        { type: 'prekeys-low', counts: { count: 2, kyberCount: 0 } },
      ]);
      await fetchAlice(deps);
      expect(notifier.sent).toHaveLength(2);
    });

    it('says nothing when the fetch took no key out of the low pool', async () => {
      // The Kyber pool is empty (last-resort key handed out); the EC pool stays at 10.
      const { deps, notifier } = await setupWith({ oneTimeIds: keyIds(11), kyberOneTimeIds: [] });
      await fetchAlice(deps);
      expect(notifier.sent).toEqual([]);
    });

    it('says nothing when both pools are already empty', async () => {
      const { deps, notifier } = await setupWith({ oneTimeIds: [], kyberOneTimeIds: [] });
      await fetchAlice(deps);
      expect(notifier.sent).toEqual([]);
    });

    it('still hands out the keys when the push fails', async () => {
      const { deps } = await setupWith({ oneTimeIds: [1], kyberOneTimeIds: [] });
      const notifier = {
        ...deps.notifier,
        notify: async () => {
          throw new Error('backplane down');
        },
      };
      const fetched = await fetchAlice({ ...deps, notifier });
      expect(fetched.oneTimePreKey?.keyId).toBe(1);
    });
  });
});
