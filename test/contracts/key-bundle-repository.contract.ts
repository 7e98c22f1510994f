/**
 * @module The `KeyBundleRepository` contract, run against every adapter: a
 * one-time key handed out at most once (200 concurrent claims on a pool of 50
 * included), in ascending `keyId` order, never from a stale generation, never
 * again after a re-upload under the same identity key; publish replacing both
 * pools; replenish skipping known keys and all-or-nothing at the cap, also
 * when replenishes race; each claim telling how many keys its pool has left
 * (up to the prekeys-low threshold).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import {
  type KeyBundleHead,
  type KeyBundleRepository,
  PREKEYS_LOW_THRESHOLD,
  type PreKey,
  type SignedPreKey,
  type UserId,
} from '../../core/index.js';
import type { ReplenishedKeys } from '../../core/ports/key-bundle-repository.js';

const ids = createObjectIdGenerator();
const user = () => ids.newId() as UserId;

// Lowercase hex of `bytes` bytes, distinct per `seed`.
function hex(seed: string, bytes = 32): string {
  let out = '';
  let state = 0;
  for (const ch of seed) state = (state * 31 + ch.charCodeAt(0)) >>> 0;
  while (out.length < bytes * 2) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out += (state >>> 16).toString(16).padStart(4, '0');
  }
  return out.slice(0, bytes * 2);
}

const ec = (keyId: number, tag = ''): PreKey => ({ keyId, publicKey: hex(`ec${tag}${keyId}`) });
const kyber = (keyId: number, tag = ''): SignedPreKey => ({
  keyId,
  publicKey: hex(`ky${tag}${keyId}`, 1569),
  signature: hex(`sig${tag}${keyId}`, 64),
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function head(identity = 'identity-1', withKyber = true): KeyBundleHead & { generation: string } {
  return {
    identityKey: identityKeyOf(identity),
    registrationId: 4242,
    signedPreKey: { keyId: 7, publicKey: hex(`spk${identity}`), signature: hex('spk-sig', 64) },
    kyberPreKey: withKyber ? kyber(9000, 'last-resort') : null,
    generation: ids.newId(),
  };
}

const identityKeyOf = (identity: string) => `05${hex(identity)}`;

// One-time keys, checked against the identity key of `head(identity)` (for replenish).
function keys(
  ecIds: readonly number[],
  kyberIds: readonly number[] = [],
  identity = 'identity-1',
): ReplenishedKeys {
  return {
    preKeys: ecIds.map((id) => ec(id)),
    kyberPreKeys: kyberIds.map((id) => kyber(id)),
    identityKey: identityKeyOf(identity),
  };
}

// A claimed key as the repository answers it: the key and its pool's size after.
const claimed = <K extends PreKey>(key: K, poolLeft: number) => ({ ...key, poolLeft });

// The key material of a claim, without the pool's size.
const material = ({ poolLeft: _, ...key }: PreKey & { poolLeft: unknown }) => key;

function shuffled<T>(list: readonly T[]): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Registers the key bundle repository contract for one adapter; `setup` gives an empty one. */
export function describeKeyBundleRepositoryContract(
  name: string,
  setup: () => Promise<KeyBundleRepository> | KeyBundleRepository,
): void {
  describe(`KeyBundleRepository contract: ${name}`, () => {
    let bundles: KeyBundleRepository;

    beforeEach(async () => {
      bundles = await setup();
    });

    // Claims EC keys until the pool is empty; their keyIds in order.
    async function drainEc(userId: UserId, generation: string): Promise<number[]> {
      const out: number[] = [];
      for (let key = await bundles.claimPreKey(userId, generation); key !== null; ) {
        out.push(key.keyId);
        key = await bundles.claimPreKey(userId, generation);
      }
      return out;
    }

    it('knows nothing of a user who never published, nor of malformed ids', async () => {
      for (const id of [user(), 'malformed' as UserId, '' as UserId]) {
        expect(await bundles.find(id)).toBeNull();
        expect(await bundles.count(id)).toEqual({ count: 0, kyberCount: 0 });
        expect(await bundles.claimPreKey(id, ids.newId())).toBeNull();
        expect(await bundles.claimKyberPreKey(id, ids.newId())).toBeNull();
        expect(await bundles.replenish(id, keys([1]), 1000)).toBeNull();
      }
    });

    it('removes a bundle, its pools and its record of keys handed out; idempotent', async () => {
      const alice = user();
      const bob = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys(range(1, 4), range(1, 3)));
      await bundles.publish(bob, head('identity-bob'), keys(range(1, 3)));
      expect((await bundles.claimPreKey(alice, bundle.generation))?.keyId).toBe(1);
      await bundles.remove(alice);
      await bundles.remove(alice);
      await bundles.remove('malformed' as UserId);
      expect(await bundles.find(alice)).toBeNull();
      expect(await bundles.count(alice)).toEqual({ count: 0, kyberCount: 0 });
      expect(await bundles.claimPreKey(alice, bundle.generation)).toBeNull();
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toBeNull();
      // The record of handed-out keys went too: a new publish of the same keys pools key 1 again.
      const again = head();
      expect(await bundles.publish(alice, again, keys(range(1, 4)))).toEqual({
        count: 3,
        kyberCount: 0,
      });
      expect(await bundles.count(bob)).toEqual({ count: 2, kyberCount: 0 });
    });

    it('stores a bundle with its generation and both pools', async () => {
      const alice = user();
      const bundle = head();
      expect(await bundles.publish(alice, bundle, keys(range(1, 6), range(1, 4)))).toEqual({
        count: 5,
        kyberCount: 3,
      });
      expect(await bundles.find(alice)).toEqual(bundle);
      expect(await bundles.count(alice)).toEqual({ count: 5, kyberCount: 3 });
      const noKyber = head('identity-2', false);
      const bob = user();
      expect(await bundles.publish(bob, noKyber, keys([]))).toEqual({ count: 0, kyberCount: 0 });
      expect((await bundles.find(bob))?.kyberPreKey).toBeNull();
      expect(await bundles.claimPreKey(bob, noKyber.generation)).toBeNull();
    });

    it('hands out keys in ascending keyId order, each once, with their material', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, {
        preKeys: shuffled([5, 1, 900, 42, 3].map((id) => ec(id))),
        kyberPreKeys: shuffled([8, 2, 77].map((id) => kyber(id))),
      });
      expect(await bundles.claimPreKey(alice, bundle.generation)).toEqual(claimed(ec(1), 4));
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toEqual(
        claimed(kyber(2), 2),
      );
      expect(await bundles.count(alice)).toEqual({ count: 4, kyberCount: 2 });
      expect(await drainEc(alice, bundle.generation)).toEqual([3, 5, 42, 900]);
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toEqual(
        claimed(kyber(8), 1),
      );
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toEqual(
        claimed(kyber(77), 0),
      );
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toBeNull();
      expect(await bundles.count(alice)).toEqual({ count: 0, kyberCount: 0 });
      // The last-resort key is part of the bundle, never consumed.
      expect((await bundles.find(alice))?.kyberPreKey).toEqual(bundle.kyberPreKey);
    });

    it('keeps users apart', async () => {
      const [alice, bob] = [user(), user()];
      const a = head('a');
      const b = head('b');
      await bundles.publish(alice, a, keys([1, 2]));
      await bundles.publish(bob, b, keys([1, 2, 3]));
      expect((await bundles.claimPreKey(alice, a.generation))?.keyId).toBe(1);
      expect(await bundles.claimPreKey(alice, b.generation)).toBeNull();
      expect(await bundles.count(bob)).toEqual({ count: 3, kyberCount: 0 });
    });

    it('replaces both pools on publish; the replaced generation stays claimable until the next one', async () => {
      const alice = user();
      const first = head();
      await bundles.publish(alice, first, keys(range(1, 11), range(1, 11)));
      const second = head();
      expect(await bundles.publish(alice, second, keys([100, 101], [200]))).toEqual({
        count: 2,
        kyberCount: 1,
      });
      expect(await bundles.find(alice)).toEqual(second);
      expect(await bundles.count(alice)).toEqual({ count: 2, kyberCount: 1 });
      // A fetch that read the first bundle just before takes a key of the first publish.
      expect((await bundles.claimPreKey(alice, first.generation))?.keyId).toBe(1);
      expect((await bundles.claimKyberPreKey(alice, first.generation))?.keyId).toBe(1);
      expect(await bundles.count(alice)).toEqual({ count: 2, kyberCount: 1 });
      expect((await bundles.claimPreKey(alice, second.generation))?.keyId).toBe(100);
      expect((await bundles.claimKyberPreKey(alice, second.generation))?.keyId).toBe(200);
      // The publish after that drops the first generation's keys.
      const third = head();
      await bundles.publish(alice, third, keys([300]));
      expect(await bundles.claimPreKey(alice, first.generation)).toBeNull();
      expect(await bundles.claimKyberPreKey(alice, first.generation)).toBeNull();
      expect((await bundles.claimPreKey(alice, second.generation))?.keyId).toBe(101);
      expect((await bundles.claimPreKey(alice, third.generation))?.keyId).toBe(300);
    });

    it('hands a keyId re-uploaded under the same identity key out once, from either generation', async () => {
      const alice = user();
      const first = head('same');
      await bundles.publish(alice, first, keys([1, 2, 3]));
      const second = head('same');
      await bundles.publish(alice, second, keys([1, 2, 3]));
      const [fromFirst, fromSecond] = await Promise.all([
        Promise.all(range(0, 4).map(() => bundles.claimPreKey(alice, first.generation))),
        Promise.all(range(0, 4).map(() => bundles.claimPreKey(alice, second.generation))),
      ]);
      const taken = [...fromFirst, ...fromSecond].flatMap((key) => (key ? [key.keyId] : []));
      expect(taken.sort()).toEqual([1, 2, 3]);
      expect(await bundles.claimPreKey(alice, second.generation)).toBeNull();
    });

    it('never re-issues a keyId re-uploaded under the same identity key', async () => {
      const alice = user();
      const first = head('same-identity');
      await bundles.publish(alice, first, keys(range(1, 6), range(1, 4)));
      expect((await bundles.claimPreKey(alice, first.generation))?.keyId).toBe(1);
      expect((await bundles.claimPreKey(alice, first.generation))?.keyId).toBe(2);
      expect((await bundles.claimKyberPreKey(alice, first.generation))?.keyId).toBe(1);

      // A retried publish after a lost response: same identity key, same keys.
      const again = head('same-identity');
      expect(await bundles.publish(alice, again, keys(range(1, 6), range(1, 4)))).toEqual({
        count: 3,
        kyberCount: 2,
      });
      expect(await drainEc(alice, again.generation)).toEqual([3, 4, 5]);
      expect((await bundles.claimKyberPreKey(alice, again.generation))?.keyId).toBe(2);

      // Replenish skips them too.
      const retried = keys([1, 2, 3, 6], [1, 4], 'same-identity');
      expect(await bundles.replenish(alice, retried, 1000)).toEqual({
        count: 1,
        kyberCount: 2,
      });
      expect(await drainEc(alice, again.generation)).toEqual([6]);
    });

    it('starts a fresh record of handed-out keys with a new identity key', async () => {
      const alice = user();
      const first = head('old-identity');
      await bundles.publish(alice, first, keys([1, 2, 3]));
      expect(await drainEc(alice, first.generation)).toEqual([1, 2, 3]);
      const fresh = head('new-identity');
      expect(await bundles.publish(alice, fresh, keys([1, 2, 3]))).toEqual({
        count: 3,
        kyberCount: 0,
      });
      expect(await drainEc(alice, fresh.generation)).toEqual([1, 2, 3]);
    });

    it('replenishes only new keys, merged in keyId order; a retry is harmless', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys([2, 4, 6], [10]));
      const more = keys([5, 4, 1, 8], [10, 11]);
      expect(await bundles.replenish(alice, more, 1000)).toEqual({ count: 6, kyberCount: 2 });
      expect(await bundles.replenish(alice, more, 1000)).toEqual({ count: 6, kyberCount: 2 });
      expect(await bundles.find(alice)).toEqual(bundle);
      expect(await drainEc(alice, bundle.generation)).toEqual([1, 2, 4, 5, 6, 8]);
    });

    it('is all-or-nothing at the cap, for either pool', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys(range(0, 8), range(0, 9)));
      expect(await codeOf(bundles.replenish(alice, keys(range(100, 103)), 10))).toBe('POOL_FULL');
      expect(await bundles.count(alice)).toEqual({ count: 8, kyberCount: 9 });
      // The EC keys would fit, the Kyber ones not: nothing is stored.
      expect(await codeOf(bundles.replenish(alice, keys([100], [100, 101]), 10))).toBe('POOL_FULL');
      expect(await bundles.count(alice)).toEqual({ count: 8, kyberCount: 9 });
      // Keys already in the pool do not count against the cap.
      expect(await bundles.replenish(alice, keys([0, 1, 100, 101], [0, 100]), 10)).toEqual({
        count: 10,
        kyberCount: 10,
      });
      expect(await codeOf(bundles.replenish(alice, keys([102]), 10))).toBe('POOL_FULL');
      await bundles.claimPreKey(alice, bundle.generation);
      expect(await bundles.replenish(alice, keys([102]), 10)).toEqual({
        count: 10,
        kyberCount: 10,
      });
    });

    it('hands 200 concurrent claims on a pool of 50 exactly 50 distinct keys', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys(range(1000, 1050), range(1, 31)));
      const [ecClaims, kyberClaims] = await Promise.all([
        Promise.all(range(0, 200).map(() => bundles.claimPreKey(alice, bundle.generation))),
        Promise.all(range(0, 60).map(() => bundles.claimKyberPreKey(alice, bundle.generation))),
      ]);
      const ecTaken = ecClaims.filter((key) => key !== null).map((key) => key.keyId);
      expect(ecTaken).toHaveLength(50);
      expect(new Set(ecTaken).size).toBe(50);
      expect([...ecTaken].sort((x, y) => x - y)).toEqual(range(1000, 1050));
      expect(ecClaims.filter((key) => key === null)).toHaveLength(150);
      for (const key of ecClaims) if (key) expect(material(key)).toEqual(ec(key.keyId));
      const kyberTaken = kyberClaims.filter((key) => key !== null).map((key) => key.keyId);
      expect(new Set(kyberTaken).size).toBe(30);
      expect(kyberTaken).toHaveLength(30);
      expect(await bundles.count(alice)).toEqual({ count: 0, kyberCount: 0 });

      // None of them comes back after a re-upload under the same identity key.
      const again = head();
      const counts = await bundles.publish(alice, again, keys(range(1000, 1050), range(1, 31)));
      expect(counts).toEqual({ count: 0, kyberCount: 0 });
    });

    it('keeps racing replenishes within the cap, each all-or-nothing', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys([]));
      const batches = range(0, 6).map((i) => keys(range(i * 10, i * 10 + 4)));
      const codes = await Promise.all(batches.map((b) => codeOf(bundles.replenish(alice, b, 10))));
      const succeeded = batches.filter((_, i) => codes[i] === 'OK');
      expect(codes.every((c) => c === 'OK' || c === 'POOL_FULL')).toBe(true);
      expect(succeeded).toHaveLength(2);
      const expected = succeeded.flatMap((b) => b.preKeys.map((key) => key.keyId));
      expect(await drainEc(alice, bundle.generation)).toEqual(expected.sort((x, y) => x - y));
    });

    it('tells with each claim how many keys its pool has left, exactly below the threshold', async () => {
      const alice = user();
      const bundle = head();
      const size = PREKEYS_LOW_THRESHOLD + 2;
      await bundles.publish(alice, bundle, keys(range(0, size), [1]));
      const left: (number | null | undefined)[] = [];
      for (let i = 0; i < size; i++) {
        left.push((await bundles.claimPreKey(alice, bundle.generation))?.poolLeft);
      }
      // At or above the threshold an adapter may stop counting there.
      const atLeast = left.slice(0, 2);
      for (const [i, n] of atLeast.entries()) {
        expect(n).toBeGreaterThanOrEqual(PREKEYS_LOW_THRESHOLD);
        expect(n).toBeLessThanOrEqual(size - 1 - i);
      }
      expect(left.slice(2)).toEqual(range(0, PREKEYS_LOW_THRESHOLD).reverse());
      expect((await bundles.claimKyberPreKey(alice, bundle.generation))?.poolLeft).toBe(0);
    });

    it('adds nothing under another identity key than the one the keys were checked against', async () => {
      const alice = user();
      const bundle = head('current');
      await bundles.publish(alice, bundle, keys([1], [1]));
      expect(await bundles.replenish(alice, keys([5], [5], 'previous'), 1000)).toBeNull();
      expect(await bundles.count(alice)).toEqual({ count: 1, kyberCount: 1 });
      expect(await bundles.replenish(alice, keys([5], [5], 'current'), 1000)).toEqual({
        count: 2,
        kyberCount: 2,
      });
    });

    it('never lets a replenish racing a publish with a new identity key fill the new pools', async () => {
      for (let round = 0; round < 8; round++) {
        const alice = user();
        await bundles.publish(alice, head('old'), keys([1]));
        const fresh = head('new');
        const replenished = range(50, 60);
        await Promise.all([
          bundles.publish(alice, fresh, keys([100], [100])),
          bundles.replenish(alice, keys(replenished, replenished, 'old'), 1000),
        ]);
        expect((await bundles.find(alice))?.identityKey).toBe(fresh.identityKey);
        expect(await drainEc(alice, fresh.generation)).toEqual([100]);
        expect((await bundles.claimKyberPreKey(alice, fresh.generation))?.keyId).toBe(100);
        expect(await bundles.claimKyberPreKey(alice, fresh.generation)).toBeNull();
      }
    });

    it('hands out Kyber keys replenished into a publish that brought none', async () => {
      const alice = user();
      const bundle = head('identity-1', false);
      await bundles.publish(alice, bundle, keys([1]));
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toBeNull();
      expect(await bundles.replenish(alice, keys([], [6, 5]), 1000)).toEqual({
        count: 1,
        kyberCount: 2,
      });
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toEqual(
        claimed(kyber(5), 1),
      );
      // A later publish without Kyber keys starts with an empty pool again (the
      // replaced generation keeps its last key for fetches that read it).
      const next = head('identity-1', false);
      await bundles.publish(alice, next, keys([2]));
      expect(await bundles.claimKyberPreKey(alice, next.generation)).toBeNull();
      expect((await bundles.claimKyberPreKey(alice, bundle.generation))?.keyId).toBe(6);
      expect(await bundles.claimKyberPreKey(alice, bundle.generation)).toBeNull();
      await bundles.replenish(alice, keys([], [7]), 1000);
      expect((await bundles.claimKyberPreKey(alice, next.generation))?.keyId).toBe(7);
    });

    it('answers every one of 10 identical racing replenishes with the final sizes', async () => {
      const alice = user();
      const bundle = head();
      await bundles.publish(alice, bundle, keys([1, 2]));
      const same = keys(range(10, 20), range(10, 15));
      const answers = await Promise.all(
        range(0, 10).map(() => bundles.replenish(alice, same, 1000)),
      );
      expect(answers).toEqual(range(0, 10).map(() => ({ count: 12, kyberCount: 5 })));
      expect(await drainEc(alice, bundle.generation)).toEqual([1, 2, ...range(10, 20)]);
    });

    it('keeps claims racing publishes and replenishes within one generation, each key once', async () => {
      const alice = user();
      // Every publish has its own keyIds: 1000·p + 1…; replenishes add 500…509 to the current one.
      const generations = new Map<string, number>();
      const publish = async (p: number) => {
        const bundle = head();
        generations.set(bundle.generation, p);
        const ids = range(p * 1000 + 1, p * 1000 + 11);
        await bundles.publish(alice, bundle, keys(ids, ids));
      };
      await publish(0);
      const claims = range(0, 60).map(async () => {
        const read = await bundles.find(alice);
        const [ecKey, kyberKey] = await Promise.all([
          bundles.claimPreKey(alice, read!.generation),
          bundles.claimKyberPreKey(alice, read!.generation),
        ]);
        return { publish: generations.get(read!.generation)!, ecKey, kyberKey };
      });
      const writes = [
        ...range(1, 4).map((p) => publish(p)),
        ...range(0, 5).map(() =>
          bundles.replenish(alice, keys(range(500, 510), range(500, 510)), 1000),
        ),
      ];
      const [fetched] = await Promise.all([Promise.all(claims), Promise.all(writes)]);
      const seen = new Set<string>();
      for (const { publish: p, ecKey, kyberKey } of fetched) {
        for (const [kind, key] of [
          ['ec', ecKey],
          ['kyber', kyberKey],
        ] as const) {
          if (!key) continue;
          const own =
            key.keyId >= 500 && key.keyId < 510 ? true : Math.floor((key.keyId - 1) / 1000) === p;
          expect(own, `${kind} key ${key.keyId} in a fetch of publish ${p}`).toBe(true);
          expect(seen.has(`${kind}:${key.keyId}`), `${kind} key ${key.keyId} twice`).toBe(false);
          seen.add(`${kind}:${key.keyId}`);
        }
      }
    });
  });
}
