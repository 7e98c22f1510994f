/**
 * @module Key bundles and one-time pools in MongoDB, without transactions and
 * without relying on any conditional update (FerretDB 1.24 applies updates,
 * `findOneAndUpdate` and `findOneAndDelete` as read-then-write-by-`_id`, so
 * under concurrency they hand the same document to several callers). Only two
 * primitives carry the guarantees, and both are exact on MongoDB and FerretDB:
 * a `deleteOne` by `_id` reports a deletion to exactly one caller, and an
 * insert into a unique index succeeds for exactly one caller.
 *
 * Collections: `key_bundles` (one per user, `_id` = user id, with the current
 * `generation`), `one_time_keys` (one document per pooled key, tagged with the
 * generation and identity key of the publish it belongs to), `handed_out_keys`
 * (unique per user, identity key, kind and `keyId`: the durable record of keys
 * handed out) and `key_locks` (replenish leases, and the Kyber markers below).
 *
 * Cost (measured with bench/pushdown.ts, 10 000 keys stored): FerretDB 1.24
 * on SQLite pushes down only a filter on `_id` alone; any other query reads
 * and decodes the whole collection (seconds at that size). On PostgreSQL it
 * pushes every top-level equality on a scalar (ObjectId, string, number) down
 * as `jsonb @>`, which PostgreSQL runs as a sequential scan (FerretDB's
 * indexes are btree on `_jsonb->'field'`, which `@>` cannot use): tens of
 * milliseconds; `$in`, `$or`, ranges and every sort run in FerretDB after
 * that. So every hot query here is an equality on top-level fields (`_id`,
 * or `userId` + `generation` + `kind`), the sort only ever orders one pool,
 * and a Kyber claim on a generation whose Kyber pool never held a key reads
 * only by `_id`. The contention suites run on PostgreSQL; on SQLite the
 * claims' sorted reads still scan the collection (see the README).
 *
 * Kyber hint: the bundle document records whether its publish brought Kyber
 * one-time keys (written with the generation, in the same replace); a
 * replenish that adds Kyber keys to a generation whose publish brought none
 * first inserts a marker `kyber:<user>:<generation>` into `key_locks`, then
 * the keys. So whenever such a pool holds a key, the marker exists, and a
 * Kyber claim on the current generation that finds neither flag nor marker
 * answers null without searching the pool (a replaced generation is searched).
 * (A flag updated in the bundle document instead could, on FerretDB, write
 * back a bundle that a concurrent publish had just replaced.)
 *
 * Claim (one key): take a pooled key of (user, generation, kind) with
 * `deleteOne({ _id })` (only the caller that deleted it goes on), then insert
 * its handed-out record; the key is the caller's only when that insert
 * succeeded. An E11000 there means the `keyId` was already handed out under
 * this identity key (a re-uploaded key, maybe from another generation): the
 * document is gone and the claim moves on. So a key goes out only after both
 * single-document writes succeeded, and never twice: each document is deleted
 * once, and each (identity key, kind, `keyId`) recorded once. A crash between
 * the two writes loses that key without handing it out.
 *
 * Batched claims: the claims of one pool waiting in this process are served
 * together, up to 32 per round: one sorted read of the lowest keys (as many
 * as there are waiters, plus the prekeys-low threshold), then the i-th waiter
 * (in arrival order) takes the i-th key as above, all at once. A waiter whose
 * take lost (another instance took that key) or who got no candidate waits
 * for the next round; a round whose read finds the pool empty answers null to
 * all its waiters (each was in flight while the pool was empty). Each lost
 * take means a key left the pool, so rounds end. Claims one at a time get
 * ascending `keyId`s; a claim's `poolLeft` is what its round's read implies
 * (exact when the read saw the whole pool and nobody else claimed meanwhile,
 * else capped at the threshold, meaning "at least").
 *
 * Generations (why a fetch never mixes two publishes and never needs a
 * retry): a publish writes its keys under a new generation, then switches the
 * bundle document (one document, replaced whole by `_id`: a reader sees the
 * old or the new one). A fetch reads the bundle once and both its claims name
 * that generation, so every key it gets was written under the publish whose
 * head it answers (replenished keys join a generation only while its identity
 * key is the bundle's, under the lease, below). The generation a publish
 * replaced keeps its keys: a fetch that read it just before the switch still
 * claims there, and counts as having come just before the publish (the
 * replaced pool only shrinks after the switch, so the keys such fetches get
 * are ones it held then). The publish after that deletes them (the bundle
 * document records the generation it replaced, `previousGeneration`, and a
 * publish deletes the keys of its replaced bundle's `previousGeneration`,
 * which is neither the current generation nor the one just replaced). Only
 * a fetch overtaken by two publishes can find its generation gone: it answers
 * that bundle with no one-time key. `count` counts the current generation.
 *
 * Publish: (1) read which of the uploaded `keyId`s were handed out under the
 * identity key and leave them out; (2) insert the new generation's keys;
 * (3) replace the bundle document, switching to the new generation; (4)
 * delete the keys of the generation before the replaced one; (5) delete keys
 * of any generation but these two older than an hour (leftovers). A crash
 * after (2) leaves keys of a generation no bundle names: never claimed by a
 * fetch that did not read it, never counted, swept later. On FerretDB two
 * concurrent publishes of one user may both see the same replaced generation;
 * the loser's keys then linger (harmless) until swept. A claim racing (1) may
 * hand out a `keyId` that (2) re-pools: its record already exists, so the
 * next claim of it deletes it and moves on; only `count` over-reports it
 * until then.
 *
 * Replenish is all-or-nothing against the cap, and replenishes of one user
 * take effect one at a time: each takes a per-user lease (a unique insert
 * into `key_locks`, 15 s, released at the end; a waiter polls it and waits its
 * turn up to 30 s, breaking a lease whose holder died), reads the pool sizes
 * and the `keyId`s already pooled or handed out, then inserts all new keys or
 * throws POOL_FULL, and only into a generation whose identity key is the one
 * the caller checked the keys against (else it returns null). Claims do not
 * take the lease (they only shrink pools, so a size read under the lease is an
 * upper bound when the keys land: the cap holds). A holder writes only while
 * less than half its lease is gone, else it lets go and queues again, so a
 * lease can expire under a live holder only if that process stalls for 7.5 s
 * between that check and its insert. A counter document with a guarded `$inc`
 * was rejected: FerretDB 1.24 loses concurrent `$inc`s and ignores the guard.
 * A replenish racing a publish adds its keys to the replaced generation (as
 * if it had happened just before the publish).
 *
 * Remove (account deletion): the bundle document, then the pooled keys, the
 * handed-out records and the Kyber markers, each one `deleteMany` by user. A
 * crash part-way leaves no bundle (nothing is fetched) and leftovers that
 * the next `remove` (the deletion sweep runs it again) deletes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Db, ObjectId } from 'mongodb';
import {
  DomainError,
  type KeyBundleRepository,
  type OneTimeKeys,
  type PoolCounts,
  PREKEYS_LOW_THRESHOLD,
  type PreKey,
  ServiceUnavailableError,
  type SignedPreKey,
  type StoredKeyBundle,
} from '../../core/index.js';
import type { ReplenishedKeys } from '../../core/ports/key-bundle-repository.js';
import { isDuplicateKeyError, requireObjectId, toObjectId, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

type Kind = 'ec' | 'kyber';

interface BundleDoc {
  _id: ObjectId;
  /** The generation this publish saw current before it switched (null: none, or not kept then). */
  previousGeneration?: string | null;
  identityKey: string;
  registrationId: number;
  signedPreKey: SignedPreKey;
  kyberPreKey: SignedPreKey | null;
  generation: string;
  /** Whether the publish brought Kyber one-time keys; absent (treated as true) before it was kept. */
  kyberOneTimeKeys?: boolean;
  publishedAt: Date;
}

interface OneTimeKeyDoc {
  _id?: ObjectId;
  userId: ObjectId;
  generation: string;
  kind: Kind;
  keyId: number;
  publicKey: string;
  // Kyber keys only.
  signature?: string;
  identityKey: string;
  addedAt: Date;
}

interface HandedOutDoc {
  userId: ObjectId;
  identityKey: string;
  kind: Kind;
  keyId: number;
  at: Date;
}

interface LockDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

// Kyber one-time keys were replenished into this generation (see the header).
interface MarkerDoc {
  _id: string;
}

const kyberMarkerId = (user: ObjectId, generation: string) =>
  `kyber:${user.toHexString()}:${generation}`;

interface Claimed {
  readonly doc: OneTimeKeyDoc;
  readonly poolLeft: number | null;
}

interface ClaimWaiter {
  resolve(claimed: Claimed | null): void;
  reject(error: unknown): void;
}

// Most claims of one pool served by one read (see the header).
const CLAIM_BATCH = 32;
// How long a replenish lease lasts if its holder dies.
const LOCK_LEASE_MS = 15_000;
// A holder stops before writing once this much of its lease is gone (see the header).
const LOCK_SAFE_MS = LOCK_LEASE_MS / 2;
// How long a replenish waits for its turn before the store counts as too slow.
const LOCK_WAIT_MS = 30_000;
// Leases a replenish may run low on before the store counts as too slow.
const LEASE_ATTEMPTS = 3;
const LEASE_RUN_OUT = Symbol('lease run out');
// Keys of a generation no bundle names are swept once this old.
const LEFTOVER_AGE_MS = 60 * 60 * 1000;

/** The key directory on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoKeyBundleRepository(db: Db): KeyBundleRepository {
  const bundles = db.collection<BundleDoc>(COLLECTIONS.keyBundles);
  const pool = db.collection<OneTimeKeyDoc>(COLLECTIONS.oneTimeKeys);
  const handedOut = db.collection<HandedOutDoc>(COLLECTIONS.handedOutKeys);
  const locks = db.collection<LockDoc>(COLLECTIONS.keyLocks);
  const markers = db.collection<MarkerDoc>(COLLECTIONS.keyLocks);

  // Claims waiting in this process, per pool (user, generation, kind); a pool
  // with an entry has a pump running (see the header: batched claims).
  const waiting = new Map<string, ClaimWaiter[]>();

  function claim(userId: string, generation: string, kind: Kind): Promise<Claimed | null> {
    const user = toObjectId(userId);
    if (!user) return Promise.resolve(null);
    const key = `${userId}:${generation}:${kind}`;
    return new Promise((resolve, reject) => {
      const queue = waiting.get(key);
      if (queue) {
        queue.push({ resolve, reject });
        return;
      }
      const fresh = [{ resolve, reject }];
      waiting.set(key, fresh);
      void pump(key, fresh, user, generation, kind);
    });
  }

  // Serves a pool's waiting claims, a batch per round, until none is left.
  async function pump(
    key: string,
    queue: ClaimWaiter[],
    user: ObjectId,
    generation: string,
    kind: Kind,
  ): Promise<void> {
    let batch: ClaimWaiter[] = [];
    try {
      while (queue.length > 0) {
        batch = queue.splice(0, CLAIM_BATCH);
        queue.unshift(...(await claimRound(user, generation, kind, batch)));
        batch = [];
      }
    } catch (error) {
      for (const waiter of [...batch, ...queue.splice(0)]) waiter.reject(error);
    } finally {
      waiting.delete(key);
    }
  }

  // One round: reads the lowest keys once, gives the i-th waiter the i-th key
  // and lets each take its own; returns (in order) the waiters to serve again.
  async function claimRound(
    user: ObjectId,
    generation: string,
    kind: Kind,
    batch: readonly ClaimWaiter[],
  ): Promise<ClaimWaiter[]> {
    if (kind === 'kyber' && !(await mayHoldKyberKeys(user, generation))) {
      for (const waiter of batch) waiter.resolve(null);
      return [];
    }
    const limit = batch.length + PREKEYS_LOW_THRESHOLD;
    const candidates = await pool
      .find({ userId: user, generation, kind })
      .sort({ keyId: 1 })
      .limit(limit)
      .toArray();
    if (candidates.length === 0) {
      // Every waiter was waiting while the pool read empty.
      for (const waiter of batch) waiter.resolve(null);
      return [];
    }
    const again = new Array<ClaimWaiter | null>(batch.length).fill(null);
    await Promise.all(
      batch.map(async (waiter, i) => {
        const candidate = candidates[i];
        try {
          if (!candidate || !(await take(user, kind, candidate))) {
            again[i] = waiter;
            return;
          }
        } catch (error) {
          waiter.reject(error);
          return;
        }
        // As read: exact when the read saw the whole pool, else "at least".
        const poolLeft = Math.min(candidates.length - (i + 1), PREKEYS_LOW_THRESHOLD);
        waiter.resolve({ doc: candidate, poolLeft });
      }),
    );
    return again.filter((waiter) => waiter !== null);
  }

  // Takes one pooled key for the caller: true only for the one caller whose
  // delete removed it and whose handed-out record was the first for its keyId.
  async function take(user: ObjectId, kind: Kind, candidate: OneTimeKeyDoc): Promise<boolean> {
    const { deletedCount } = await pool.deleteOne({ _id: candidate._id! });
    if (deletedCount !== 1) return false;
    try {
      await handedOut.insertOne({
        userId: user,
        identityKey: candidate.identityKey,
        kind,
        keyId: candidate.keyId,
        at: new Date(),
      });
      return true;
    } catch (error) {
      // Handed out before under this identity key (a re-upload): gone now, skip it.
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  // False when `generation` is the user's current one and its Kyber pool
  // never held a key (see the header): then a claim need not search the pool.
  async function mayHoldKyberKeys(user: ObjectId, generation: string): Promise<boolean> {
    const doc = await bundles.findOne(
      { _id: user },
      { projection: { generation: 1, kyberOneTimeKeys: 1 } },
    );
    if (!doc) return false;
    if (doc.generation !== generation || doc.kyberOneTimeKeys !== false) return true;
    return (await markers.findOne({ _id: kyberMarkerId(user, generation) })) !== null;
  }

  // `keyId`s among `keys` that were handed out under `identityKey`, per kind.
  async function handedOutAmong(user: ObjectId, identityKey: string, keys: KeysByKind) {
    if (keys.ec.length + keys.kyber.length === 0) return idsByKind([]);
    const filter = { userId: user, identityKey, $or: kindFilters(keys) };
    return idsByKind(await handedOut.find(filter, { projection: KIND_AND_ID }).toArray());
  }

  // `keyId`s among `keys` already in the pools of `generation`, per kind.
  async function pooledAmong(user: ObjectId, generation: string, keys: KeysByKind) {
    if (keys.ec.length + keys.kyber.length === 0) return idsByKind([]);
    const filter = { userId: user, generation, $or: kindFilters(keys) };
    return idsByKind(await pool.find(filter, { projection: KIND_AND_ID }).toArray());
  }

  async function countPools(user: ObjectId, generation: string): Promise<PoolCounts> {
    const [count, kyberCount] = await Promise.all([
      pool.countDocuments({ userId: user, generation, kind: 'ec' }),
      pool.countDocuments({ userId: user, generation, kind: 'kyber' }),
    ]);
    return { count, kyberCount };
  }

  async function insertKeys(docs: OneTimeKeyDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await pool.insertMany(docs, { ordered: false });
    } catch (error) {
      // Already pooled (a racing retry of the same keys): nothing to add.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  // Replaces the bundle document; returns the one it replaced.
  async function switchBundle(doc: BundleDoc): Promise<BundleDoc | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await bundles.findOneAndReplace({ _id: doc._id }, doc, {
          upsert: true,
          returnDocument: 'before',
        });
      } catch (error) {
        // Two first publishes raced to insert; the retry replaces the winner's.
        if (!isDuplicateKeyError(error) || attempt >= 2) throw error;
      }
    }
  }

  // Runs `work` holding the user's replenish lease; `work` is told whether
  // the lease is still safely its own.
  async function withReplenishLease<T>(
    user: ObjectId,
    work: (stillHeld: () => boolean) => Promise<T>,
  ): Promise<T> {
    const _id = `replenish:${user.toHexString()}`;
    const owner = new ObjectId().toHexString();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 50)) {
      try {
        await locks.insertOne({ _id, owner, expiresAt: new Date(Date.now() + LOCK_LEASE_MS) });
        break;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const held = await locks.findOne({ _id });
      if (held && held.expiresAt.getTime() < Date.now()) {
        // Its holder died: break the lease, then compete for it again.
        await locks.deleteOne({ _id, owner: held.owner });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ServiceUnavailableError(
          'MongoDB did not finish the replenishes of these pools in time; retry later.',
        );
      }
      await sleep(delayMs + Math.random() * delayMs);
    }
    const takenAt = Date.now();
    try {
      return await work(() => Date.now() - takenAt < LOCK_SAFE_MS);
    } finally {
      await locks.deleteOne({ _id, owner }).catch(() => {});
    }
  }

  return withMongoErrors<KeyBundleRepository>({
    async publish(userId, bundle, keys) {
      const user = requireObjectId(userId, 'User id');
      const { generation, identityKey } = bundle;
      const offered = distinctKeys(keys);
      const handed = await handedOutAmong(user, identityKey, offered);
      const now = new Date();
      const fresh = {
        ec: offered.ec.filter((key) => !handed.ec.has(key.keyId)),
        kyber: offered.kyber.filter((key) => !handed.kyber.has(key.keyId)),
      };
      await insertKeys(toDocs(user, generation, identityKey, fresh, now));
      const before = await bundles.findOne({ _id: user }, { projection: { generation: 1 } });
      const replaced = await switchBundle({
        _id: user,
        previousGeneration: before?.generation ?? null,
        identityKey,
        registrationId: bundle.registrationId,
        signedPreKey: copySigned(bundle.signedPreKey),
        kyberPreKey: bundle.kyberPreKey === null ? null : copySigned(bundle.kyberPreKey),
        generation,
        kyberOneTimeKeys: fresh.kyber.length > 0,
        publishedAt: now,
      });
      // The replaced generation stays claimable (fetches that read it just
      // before); the one it had replaced goes now.
      const kept = [generation, ...(replaced ? [replaced.generation] : [])];
      const dropped = replaced?.previousGeneration;
      if (dropped && !kept.includes(dropped)) {
        await pool.deleteMany({ userId: user, generation: dropped });
        await markers.deleteOne({ _id: kyberMarkerId(user, dropped) });
      }
      await pool.deleteMany({
        userId: user,
        generation: { $nin: kept },
        addedAt: { $lt: new Date(now.getTime() - LEFTOVER_AGE_MS) },
      });
      return { count: fresh.ec.length, kyberCount: fresh.kyber.length };
    },
    async find(userId) {
      const user = toObjectId(userId);
      if (!user) return null;
      const doc = await bundles.findOne({ _id: user });
      if (!doc) return null;
      const stored: StoredKeyBundle = {
        identityKey: doc.identityKey,
        registrationId: doc.registrationId,
        signedPreKey: copySigned(doc.signedPreKey),
        kyberPreKey: doc.kyberPreKey === null ? null : copySigned(doc.kyberPreKey),
        generation: doc.generation,
      };
      return stored;
    },
    async claimPreKey(userId, generation) {
      const claimed = await claim(userId, generation, 'ec');
      if (!claimed) return null;
      const { doc, poolLeft } = claimed;
      return { keyId: doc.keyId, publicKey: doc.publicKey, poolLeft };
    },
    async claimKyberPreKey(userId, generation) {
      const claimed = await claim(userId, generation, 'kyber');
      if (!claimed) return null;
      const { doc, poolLeft } = claimed;
      return { keyId: doc.keyId, publicKey: doc.publicKey, signature: doc.signature!, poolLeft };
    },
    async count(userId) {
      const user = toObjectId(userId);
      const doc = user && (await bundles.findOne({ _id: user }, { projection: { generation: 1 } }));
      if (!user || !doc) return { count: 0, kyberCount: 0 };
      return countPools(user, doc.generation);
    },
    async remove(userId) {
      const user = toObjectId(userId);
      if (!user) return;
      // The bundle first: fetches find nothing from here on, whatever a crash leaves of the rest.
      await bundles.deleteOne({ _id: user });
      await pool.deleteMany({ userId: user });
      await handedOut.deleteMany({ userId: user });
      await markers.deleteMany({ _id: { $regex: `^kyber:${user.toHexString()}:` } });
    },
    async replenish(userId, keys, cap) {
      const user = toObjectId(userId);
      const current =
        user && (await bundles.findOne({ _id: user }, { projection: { identityKey: 1 } }));
      if (!user || current?.identityKey !== keys.identityKey) return null;
      for (let attempt = 1; ; attempt++) {
        const result = await withReplenishLease(user, (stillHeld) =>
          replenishHolding(user, keys, cap, stillHeld),
        );
        if (result !== LEASE_RUN_OUT) return result;
        if (attempt >= LEASE_ATTEMPTS) {
          throw new ServiceUnavailableError(
            'MongoDB answers too slowly to replenish; retry later.',
          );
        }
      }
    },
  });

  // The replenish itself, holding the user's lease: null when the bundle is
  // not under `keys.identityKey` any more; LEASE_RUN_OUT when the lease ran
  // low before anything was written.
  async function replenishHolding(
    user: ObjectId,
    keys: ReplenishedKeys,
    cap: number,
    stillHeld: () => boolean,
  ): Promise<PoolCounts | null | typeof LEASE_RUN_OUT> {
    // The keys go into this generation, whose identity key is checked here:
    // a publish landing after this read leaves them in a replaced pool.
    const bundle = await bundles.findOne({ _id: user });
    if (!bundle || bundle.identityKey !== keys.identityKey) return null;
    const { generation, identityKey } = bundle;
    const offered = distinctKeys(keys);
    const [handed, pooled, counts] = await Promise.all([
      handedOutAmong(user, identityKey, offered),
      pooledAmong(user, generation, offered),
      countPools(user, generation),
    ]);
    const fresh = {
      ec: offered.ec.filter((k) => !handed.ec.has(k.keyId) && !pooled.ec.has(k.keyId)),
      kyber: offered.kyber.filter((k) => !handed.kyber.has(k.keyId) && !pooled.kyber.has(k.keyId)),
    };
    const after = {
      count: counts.count + fresh.ec.length,
      kyberCount: counts.kyberCount + fresh.kyber.length,
    };
    if (after.count > cap || after.kyberCount > cap) {
      throw new DomainError('POOL_FULL', `A one-time pool holds at most ${cap} keys.`);
    }
    if (fresh.ec.length + fresh.kyber.length === 0) return after;
    if (!stillHeld()) return LEASE_RUN_OUT;
    if (fresh.kyber.length > 0 && bundle.kyberOneTimeKeys === false) {
      await markers.insertOne({ _id: kyberMarkerId(user, generation) }).catch((error: unknown) => {
        // Marked by an earlier replenish already.
        if (!isDuplicateKeyError(error)) throw error;
      });
    }
    await insertKeys(toDocs(user, generation, identityKey, fresh, new Date()));
    return after;
  }
}

interface KeysByKind {
  readonly ec: readonly PreKey[];
  readonly kyber: readonly SignedPreKey[];
}

// The offered keys, each `keyId` once per kind (the first occurrence wins).
function distinctKeys(keys: OneTimeKeys): KeysByKind {
  const firstOf = <T extends PreKey>(list: readonly T[]): T[] => {
    const seen = new Set<number>();
    return list.filter((key) => !seen.has(key.keyId) && seen.add(key.keyId));
  };
  return { ec: firstOf(keys.preKeys), kyber: firstOf(keys.kyberPreKeys) };
}

// An `$or` matching the offered `keyId`s of each kind (never empty).
function kindFilters(keys: KeysByKind) {
  return [
    { kind: 'ec' as const, keyId: { $in: keys.ec.map((key) => key.keyId) } },
    { kind: 'kyber' as const, keyId: { $in: keys.kyber.map((key) => key.keyId) } },
  ];
}

const KIND_AND_ID = { kind: 1, keyId: 1 } as const;

function idsByKind(found: readonly { kind: Kind; keyId: number }[]) {
  const ids = { ec: new Set<number>(), kyber: new Set<number>() };
  for (const { kind, keyId } of found) ids[kind].add(keyId);
  return ids;
}

function toDocs(
  user: ObjectId,
  generation: string,
  identityKey: string,
  keys: KeysByKind,
  addedAt: Date,
): OneTimeKeyDoc[] {
  const base = { userId: user, generation, identityKey, addedAt };
  return [
    ...keys.ec.map((key) => ({
      ...base,
      kind: 'ec' as const,
      keyId: key.keyId,
      publicKey: key.publicKey,
    })),
    ...keys.kyber.map((key) => ({
      ...base,
      kind: 'kyber' as const,
      keyId: key.keyId,
      publicKey: key.publicKey,
      signature: key.signature,
    })),
  ];
}

function copySigned(key: SignedPreKey): SignedPreKey {
  return { keyId: key.keyId, publicKey: key.publicKey, signature: key.signature };
}
