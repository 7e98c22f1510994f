/** @module How many one-time keys the caller has left. */
import type { Deps } from '../deps.js';
import type { PoolCounts, UserId } from '../model.js';

/** Sizes of the caller's two one-time pools; `{ count: 0, kyberCount: 0 }` before any publish. */
export async function countPrekeys(
  deps: Pick<Deps, 'keyBundles'>,
  input: { readonly userId: UserId },
): Promise<PoolCounts> {
  return deps.keyBundles.count(input.userId);
}
