/** @module The caller's call history (API.md §6). */
import type { Deps } from '../deps.js';
import type { CallRecord, UserId } from '../model.js';

/**
 * A page of the calls `userId` took part in (as caller or callee), newest
 * `startedAt` first; live calls included, with status `ringing` or `ongoing`.
 */
export async function listCalls(
  deps: Pick<Deps, 'calls'>,
  input: { readonly userId: UserId; readonly limit: number; readonly offset: number },
): Promise<CallRecord[]> {
  return deps.calls.listForUser(input.userId, { limit: input.limit, offset: input.offset });
}
