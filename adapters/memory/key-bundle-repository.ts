/**
 * @module In-memory key bundles and one-time pools. No method awaits between
 * its check and its change, so each is atomic on the event loop: a claim
 * takes a key exactly once however many claims run concurrently. A publish
 * keeps the pools of the generation it replaced, so that a fetch that read
 * the bundle just before can still claim there (as the port allows); the
 * publish after that drops them.
 */
import {
  DomainError,
  type KeyBundleRepository,
  type PoolCounts,
  PREKEYS_LOW_THRESHOLD,
  type PreKey,
  type SignedPreKey,
  type StoredKeyBundle,
  withFields,
} from '../../core/index.js';

interface Pools {
  readonly generation: string;
  readonly identityKey: string;
  /** Ascending `keyId`, no repeats. */
  preKeys: PreKey[];
  /** Ascending `keyId`, no repeats. */
  kyberPreKeys: SignedPreKey[];
}

interface Entry extends Pools {
  readonly bundle: StoredKeyBundle;
  /** The pools of the generation this one replaced. */
  readonly previous: Pools | null;
}

type PoolName = 'preKeys' | 'kyberPreKeys';

// The `keyId`s handed out under one identity key, per kind.
interface HandedOut {
  readonly preKeys: Set<number>;
  readonly kyberPreKeys: Set<number>;
}

/** Bundles and pools in this process, honouring every guarantee of `KeyBundleRepository`. */
export function createMemoryKeyBundleRepository(): KeyBundleRepository {
  const entries = new Map<string, Entry>();
  // Per user, per identity key: what was handed out. A new identity key starts empty.
  const handedOut = new Map<string, Map<string, HandedOut>>();

  function handedOutUnder(userId: string, identityKey: string): HandedOut {
    let perUser = handedOut.get(userId);
    if (!perUser) {
      perUser = new Map();
      handedOut.set(userId, perUser);
    }
    let record = perUser.get(identityKey);
    if (!record) {
      record = { preKeys: new Set(), kyberPreKeys: new Set() };
      perUser.set(identityKey, record);
    }
    return record;
  }

  function counts(entry: Entry | undefined): PoolCounts {
    return { count: entry?.preKeys.length ?? 0, kyberCount: entry?.kyberPreKeys.length ?? 0 };
  }

  // Takes the lowest key of `generation`'s pool (current or just replaced),
  // records it as handed out, and drops that keyId from every pool kept under
  // the same identity key, so that it never goes out twice.
  function claim<K extends PreKey>(userId: string, generation: string, name: PoolName) {
    const entry = entries.get(userId);
    const pools = [entry, entry?.previous].find((p) => p?.generation === generation);
    if (!entry || !pools) return null;
    const key = (pools[name] as K[]).shift();
    if (key === undefined) return null;
    handedOutUnder(userId, pools.identityKey)[name].add(key.keyId);
    for (const other of [entry, entry.previous]) {
      if (other && other !== pools && other.identityKey === pools.identityKey) {
        other[name] = (other[name] as PreKey[]).filter((k) => k.keyId !== key.keyId) as never;
      }
    }
    return withFields(key, { poolLeft: Math.min(pools[name].length, PREKEYS_LOW_THRESHOLD) });
  }

  return {
    async publish(userId, bundle, keys) {
      const record = handedOutUnder(userId, bundle.identityKey);
      const replaced = entries.get(userId);
      const entry: Entry = {
        generation: bundle.generation,
        identityKey: bundle.identityKey,
        previous: replaced
          ? {
              generation: replaced.generation,
              identityKey: replaced.identityKey,
              preKeys: replaced.preKeys,
              kyberPreKeys: replaced.kyberPreKeys,
            }
          : null,
        bundle: {
          identityKey: bundle.identityKey,
          registrationId: bundle.registrationId,
          signedPreKey: copySigned(bundle.signedPreKey),
          kyberPreKey: bundle.kyberPreKey === null ? null : copySigned(bundle.kyberPreKey),
          generation: bundle.generation,
        },
        preKeys: merge([], keys.preKeys.map(copy), record.preKeys),
        kyberPreKeys: merge([], keys.kyberPreKeys.map(copySigned), record.kyberPreKeys),
      };
      entries.set(userId, entry);
      return counts(entry);
    },
    async find(userId) {
      return entries.get(userId)?.bundle ?? null;
    },
    async claimPreKey(userId, generation) {
      return claim<PreKey>(userId, generation, 'preKeys');
    },
    async claimKyberPreKey(userId, generation) {
      return claim<SignedPreKey>(userId, generation, 'kyberPreKeys');
    },
    async count(userId) {
      return counts(entries.get(userId));
    },
    async remove(userId) {
      entries.delete(userId);
      handedOut.delete(userId);
    },
    async replenish(userId, keys, cap) {
      const entry = entries.get(userId);
      if (!entry || entry.bundle.identityKey !== keys.identityKey) return null;
      const record = handedOutUnder(userId, entry.bundle.identityKey);
      const preKeys = merge(entry.preKeys, keys.preKeys.map(copy), record.preKeys);
      const kyberPreKeys = merge(
        entry.kyberPreKeys,
        keys.kyberPreKeys.map(copySigned),
        record.kyberPreKeys,
      );
      if (preKeys.length > cap || kyberPreKeys.length > cap) {
        throw new DomainError('POOL_FULL', `A one-time pool holds at most ${cap} keys.`);
      }
      entry.preKeys = preKeys;
      entry.kyberPreKeys = kyberPreKeys;
      return counts(entry);
    },
  };
}

// A new ascending pool: `pool` plus each key of `added` whose `keyId` is
// neither in the pool, nor handed out, nor earlier in `added`.
function merge<T extends PreKey>(
  pool: readonly T[],
  added: readonly T[],
  handedOut: ReadonlySet<number>,
): T[] {
  const taken = new Set(pool.map((key) => key.keyId));
  const fresh: T[] = [];
  for (const key of added) {
    if (taken.has(key.keyId) || handedOut.has(key.keyId)) continue;
    taken.add(key.keyId);
    fresh.push(key);
  }
  if (fresh.length === 0) return [...pool];
  return [...pool, ...fresh].sort((a, b) => a.keyId - b.keyId);
}

function copy(key: PreKey): PreKey {
  return { keyId: key.keyId, publicKey: key.publicKey };
}

function copySigned(key: SignedPreKey): SignedPreKey {
  return { keyId: key.keyId, publicKey: key.publicKey, signature: key.signature };
}
