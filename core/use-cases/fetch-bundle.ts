/** @module Hands out a user's key bundle, taking one key from each one-time pool. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import {
  type FetchedBundle,
  PREKEYS_LOW_THRESHOLD,
  type PreKey,
  type SignedPreKey,
  type UserId,
} from '../model.js';
import type { ClaimedKey } from '../ports/key-bundle-repository.js';

/**
 * The owner's bundle with one EC one-time key and one Kyber one-time key
 * taken out of their pools (each handed out at most once, lowest `keyId`
 * first). When the Kyber pool is empty the last-resort Kyber key is handed
 * out instead, and never consumed. Every key comes from one publish: the
 * bundle is read once, and both claims name its generation, so they take
 * only keys of that publish, even when another publish lands meanwhile (the
 * fetch then counts as having come just before it). Fetching one's own bundle
 * consumes keys too (`requesterId` is for the edge's rate limits). A fetch
 * that takes a one-time key and leaves that pool below 10 sends the owner
 * `prekeys-low`; the pools are counted in full only when a claim reported its
 * pool low.
 * An owner who blocks the requester hands out no one-time key: the answer is
 * the bundle of empty pools (last-resort Kyber key, no EC one-time key).
 */
export async function fetchBundle(
  deps: Pick<Deps, 'keyBundles' | 'notifier' | 'blocks'>,
  input: { readonly requesterId: UserId; readonly ownerId: string },
): Promise<FetchedBundle> {
  const [bundle, block] = await Promise.all([
    deps.keyBundles.find(input.ownerId),
    deps.blocks.find(input.ownerId, input.requesterId),
  ]);
  if (!bundle) throw new DomainError('BUNDLE_NOT_FOUND', 'This user has no key bundle.');
  if (block) {
    return {
      identityKey: bundle.identityKey,
      registrationId: bundle.registrationId,
      signedPreKey: bundle.signedPreKey,
      oneTimePreKey: null,
      kyberPreKey: bundle.kyberPreKey,
    };
  }
  const ownerId = input.ownerId as UserId;
  const [preKey, kyberOneTime] = await Promise.all([
    deps.keyBundles.claimPreKey(ownerId, bundle.generation),
    deps.keyBundles.claimKyberPreKey(ownerId, bundle.generation),
  ]);
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
