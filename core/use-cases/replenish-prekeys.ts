/** @module Adds one-time keys to the caller's pools. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import {
  checkOneTimeKeyMaterial,
  type OneTimeKeyMaterial,
  verifyPrekeySignatures,
} from '../key-material.js';
import { MAX_POOL_SIZE, type PoolCounts, type UserId } from '../model.js';

// Reads of the bundle that a publish of a new identity key may invalidate.
const MAX_ATTEMPTS = 3;

export interface ReplenishPrekeysInput extends OneTimeKeyMaterial {
  readonly userId: UserId;
}

/**
 * Adds one-time keys (at least one, API.md §5 rules), skipping `keyId`s
 * already in the pool or handed out under the current identity key, so a
 * retry is harmless. One-time Kyber signatures are verified against the stored
 * identity key when it is in libsignal's form. All or nothing: `POOL_FULL`
 * when a pool would exceed 1 000 keys, `INVALID_SIGNATURE` for a bad
 * signature, `BUNDLE_NOT_FOUND` before the first publish. The keys are added
 * only under the identity key they were checked against: when a publish with
 * another identity key lands in between, they are checked again against it.
 * Should publishes of new identity keys keep landing (three times in a row),
 * the replenish counts as having come just before them, so their new pools
 * replaced its keys: it answers the current sizes, adding nothing.
 */
export async function replenishPrekeys(
  deps: Pick<Deps, 'keyBundles' | 'signatures'>,
  input: ReplenishPrekeysInput,
): Promise<PoolCounts> {
  const keys = checkOneTimeKeyMaterial(input);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const bundle = await deps.keyBundles.find(input.userId);
    if (!bundle) throw notFound();
    const { identityKey } = bundle;
    if (!(await verifyPrekeySignatures(deps.signatures, identityKey, keys.kyberPreKeys))) {
      throw new DomainError('INVALID_SIGNATURE', 'A prekey signature does not verify.');
    }
    const counts = await deps.keyBundles.replenish(
      input.userId,
      { ...keys, identityKey },
      MAX_POOL_SIZE,
    );
    if (counts) return counts;
    // No bundle under that identity key any more: read it again.
  }
  return deps.keyBundles.count(input.userId);
}

function notFound(): DomainError {
  return new DomainError('BUNDLE_NOT_FOUND', 'Publish a key bundle first.');
}
