/** @module Hands out a user's key bundle, taking one key from each one-time pool. */
import type { Deps } from '../deps.js';
import { DomainError, ServiceUnavailableError } from '../errors.js';
import {
  type FetchedBundle,
  PREKEYS_LOW_THRESHOLD,
  type PreKey,
  type SignedPreKey,
  type StoredKeyBundle,
  type UserId,
} from '../model.js';
import type { ClaimedKey } from '../ports/key-bundle-repository.js';

// Reads of a bundle that a concurrent publish may invalidate before the fetch gives up.
const MAX_ATTEMPTS = 5;

/**
 * The owner's bundle with one EC one-time key and one Kyber one-time key
 * taken out of their pools (each handed out at most once, lowest `keyId`
 * first). When the Kyber pool is empty the last-resort Kyber key is handed
 * out instead, and never consumed. Every key comes from one publish: a fetch
 * that races a publish starts again. Fetching one's own bundle consumes keys
 * too (`requesterId` is for the edge's rate limits). A fetch that takes a
 * one-time key and leaves that pool below 10 sends the owner `prekeys-low`.
 * The pools are counted in full only when a claim reported its pool low.
 */
export async function fetchBundle(
  deps: Pick<Deps, 'keyBundles' | 'notifier'>,
  input: { readonly requesterId: UserId; readonly ownerId: string },
): Promise<FetchedBundle> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const bundle = await deps.keyBundles.find(input.ownerId);
    if (!bundle) throw new DomainError('BUNDLE_NOT_FOUND', 'This user has no key bundle.');
    const ownerId = input.ownerId as UserId;
    const preKey = await deps.keyBundles.claimPreKey(ownerId, bundle.generation);
    const kyberOneTime = await deps.keyBundles.claimKyberPreKey(ownerId, bundle.generation);
    // A claim names the generation it read, so a non-null claim is of this
    // publish. An empty one is either an empty pool or a publish that came in
    // between; only the second means starting again.
    const empty = preKey === null || kyberOneTime === null;
    if (empty && (await isStale(deps, input.ownerId, bundle))) continue;
    await notifyIfLow(deps, ownerId, preKey, kyberOneTime);
    return {
      identityKey: bundle.identityKey,
      registrationId: bundle.registrationId,
      signedPreKey: bundle.signedPreKey,
      oneTimePreKey: preKey && { keyId: preKey.keyId, publicKey: preKey.publicKey },
      kyberPreKey: kyberOneTime
        ? {
            keyId: kyberOneTime.keyId,
            publicKey: kyberOneTime.publicKey,
            signature: kyberOneTime.signature,
          }
        : bundle.kyberPreKey,
    };
  }
  throw new ServiceUnavailableError('The key bundle keeps changing; retry later.');
}

async function isStale(
  deps: Pick<Deps, 'keyBundles'>,
  ownerId: string,
  read: StoredKeyBundle,
): Promise<boolean> {
  const current = await deps.keyBundles.find(ownerId);
  return current?.generation !== read.generation;
}

// Whether a claim left its pool below the threshold (or could not tell).
const leftLow = (claimed: ClaimedKey<PreKey> | null) =>
  claimed !== null && (claimed.poolLeft === null || claimed.poolLeft < PREKEYS_LOW_THRESHOLD);

async function notifyIfLow(
  deps: Pick<Deps, 'keyBundles' | 'notifier'>,
  ownerId: UserId,
  preKey: ClaimedKey<PreKey> | null,
  kyberOneTime: ClaimedKey<SignedPreKey> | null,
): Promise<void> {
  if (!leftLow(preKey) && !leftLow(kyberOneTime)) return;
  // Best effort: the keys are already taken, so a failed push must not fail
  // the fetch and lose them; the owner can still poll its counts.
  try {
    const counts = await deps.keyBundles.count(ownerId);
    const low =
      (preKey !== null && counts.count < PREKEYS_LOW_THRESHOLD) ||
      (kyberOneTime !== null && counts.kyberCount < PREKEYS_LOW_THRESHOLD);
    if (low) await deps.notifier.notify(ownerId, { type: 'prekeys-low', counts });
  } catch {
    // Nothing to undo; the next fetch tries again.
  }
}
