/** @module Adds one-time keys to the caller's pools. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import { checkOneTimeKeyMaterial, verifyPrekeySignatures } from '../key-material.js';
import {
  MAX_POOL_SIZE,
  type PoolCounts,
  type PreKey,
  type SignedPreKey,
  type UserId,
} from '../model.js';

export interface ReplenishPrekeysInput {
  readonly userId: UserId;
  readonly oneTimePreKeys?: readonly PreKey[];
  readonly kyberOneTimePreKeys?: readonly SignedPreKey[];
}

/**
 * Adds one-time keys (at least one, API.md §5 rules), skipping `keyId`s
 * already in the pool or handed out under the current identity key, so a
 * retry is harmless. One-time Kyber signatures are verified against the stored
 * identity key when it is in libsignal's form. All or nothing: `POOL_FULL`
 * when a pool would exceed 1 000 keys, `INVALID_SIGNATURE` for a bad
 * signature, `BUNDLE_NOT_FOUND` before the first publish.
 */
export async function replenishPrekeys(
  deps: Pick<Deps, 'keyBundles' | 'signatures'>,
  input: ReplenishPrekeysInput,
): Promise<PoolCounts> {
  const keys = checkOneTimeKeyMaterial(input);
  const bundle = await deps.keyBundles.find(input.userId);
  if (!bundle) throw notFound();
  if (!(await verifyPrekeySignatures(deps.signatures, bundle.identityKey, keys.kyberPreKeys))) {
    throw new DomainError('INVALID_SIGNATURE', 'A prekey signature does not verify.');
  }
  const counts = await deps.keyBundles.replenish(input.userId, keys, MAX_POOL_SIZE);
  if (!counts) throw notFound();
  return counts;
}

function notFound(): DomainError {
  return new DomainError('BUNDLE_NOT_FOUND', 'Publish a key bundle first.');
}
