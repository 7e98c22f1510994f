/** @module The E2EE key directory. */
import type {
  KeyBundleHead,
  PoolCounts,
  PreKey,
  SignedPreKey,
  StoredKeyBundle,
  UserId,
} from '../model.js';

/**
 * A one-time key just taken out of its pool, with how many keys that pool
 * held right after: exact below `PREKEYS_LOW_THRESHOLD`, and an adapter may
 * stop counting there (so that value means "that many or more"); null when
 * the count failed (the key is taken all the same).
 */
export type ClaimedKey<K extends PreKey> = K & { readonly poolLeft: number | null };

/** One-time keys to add, per pool. */
export interface OneTimeKeys {
  readonly preKeys: readonly PreKey[];
  readonly kyberPreKeys: readonly SignedPreKey[];
}

/** Keys for `replenish`, with the identity key they were checked against. */
export interface ReplenishedKeys extends OneTimeKeys {
  readonly identityKey: string;
}

/**
 * Each user's bundle and two one-time pools (EC and Kyber).
 *
 * Guarantees:
 * - a one-time key is handed out at most once, ever, under any number of
 *   concurrent claims, in ascending `keyId` order;
 * - the `keyId`s handed out are remembered per identity key: while the
 *   identity key stays the same, neither `publish` nor `replenish` puts such a
 *   `keyId` back in its pool; a new identity key starts a fresh record;
 * - every publish has a new `generation`, and a claim names the generation it
 *   read, so a fetch never mixes keys of two publishes;
 * - `replenish` is all-or-nothing: it adds every new key or, when a pool would
 *   exceed `cap`, none (throwing `DomainError('POOL_FULL')`).
 */
export interface KeyBundleRepository {
  /** Replaces the user's bundle and both pools; returns the pools' sizes. */
  publish(
    userId: UserId,
    bundle: KeyBundleHead & { readonly generation: string },
    keys: OneTimeKeys,
  ): Promise<PoolCounts>;
  find(userId: string): Promise<StoredKeyBundle | null>;
  /** Takes the lowest EC one-time key of `generation`, or null when none is left. */
  claimPreKey(userId: UserId, generation: string): Promise<ClaimedKey<PreKey> | null>;
  /** Takes the lowest Kyber one-time key of `generation`, or null when none is left. */
  claimKyberPreKey(userId: UserId, generation: string): Promise<ClaimedKey<SignedPreKey> | null>;
  /** Sizes of the current pools; `{ 0, 0 }` without a bundle. */
  count(userId: UserId): Promise<PoolCounts>;
  /**
   * Adds the keys whose `keyId` is neither in the pool nor handed out under the
   * current identity key, and only while that is `keys.identityKey` (so keys
   * checked against one identity key never join the pool of a publish under
   * another). Returns the new sizes, or null when no bundle under that
   * identity key exists.
   */
  replenish(userId: UserId, keys: ReplenishedKeys, cap: number): Promise<PoolCounts | null>;
  /**
   * Removes the user's bundle, both pools and the record of keys handed out
   * (account deletion). The bundle goes first, so from then on `find` answers
   * null; idempotent.
   */
  remove(userId: UserId): Promise<void>;
}
