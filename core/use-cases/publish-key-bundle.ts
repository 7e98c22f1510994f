/** @module Publishes the caller's key bundle, replacing the old one and both one-time pools. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import {
  checkPublishKeyMaterial,
  type PublishKeyMaterial,
  verifyPrekeySignatures,
} from '../key-material.js';
import type { PoolCounts, UserId } from '../model.js';

export interface PublishKeyBundleInput extends PublishKeyMaterial {
  readonly userId: UserId;
}

/**
 * Checks the key material (API.md §5) and, when the identity key is in
 * libsignal's 33-byte form, every signature (signed prekey, last-resort Kyber
 * key, each one-time Kyber key) before storing anything. Stores the bundle
 * under a new generation with both pools replaced; `keyId`s already handed
 * out under the same identity key are left out. Returns the pools' sizes.
 */
export async function publishKeyBundle(
  deps: Pick<Deps, 'keyBundles' | 'signatures' | 'ids'>,
  input: PublishKeyBundleInput,
): Promise<PoolCounts> {
  const { head, keys } = checkPublishKeyMaterial(input);
  const signed = [head.signedPreKey, ...(head.kyberPreKey ? [head.kyberPreKey] : [])];
  const valid = await verifyPrekeySignatures(deps.signatures, head.identityKey, [
    ...signed,
    ...keys.kyberPreKeys,
  ]);
  if (!valid) {
    throw new DomainError('INVALID_SIGNATURE', 'A prekey signature does not verify.');
  }
  return deps.keyBundles.publish(input.userId, { ...head, generation: deps.ids.newId() }, keys);
}
