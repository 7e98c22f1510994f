/** @module The caller's call history (API.md §6). */
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { CallRecord, UserId } from '../model.js';

export interface ListCallsInput {
  readonly userId: UserId;
  readonly limit: number;
  readonly offset: number;
  /** A `callId` of the user's history: only older calls (the cursor of the next page). */
  readonly before?: string;
}

/**
 * A page of the calls `userId` took part in (as caller or callee), newest
 * `startedAt` first; live calls included, with status `ringing` or `ongoing`.
 * `before` names the last call of the previous page; `offset` then skips
 * within the older ones. A `before` that is no call of the user's is a
 * `VALIDATION_FAILED` on `before`, exactly like an unknown one (so it tells
 * nothing about other users' calls).
 */
export async function listCalls(
  deps: Pick<Deps, 'calls'>,
  input: ListCallsInput,
): Promise<CallRecord[]> {
  const { userId, limit, offset } = input;
  if (input.before === undefined) return deps.calls.listForUser(userId, { limit, offset });
  const cursor = await deps.calls.findById(input.before);
  if (cursor === null || (cursor.callerId !== userId && cursor.calleeId !== userId)) {
    throw ValidationError.at('before', 'Must be the callId of a call in your history.');
  }
  return deps.calls.listForUser(userId, {
    limit,
    offset,
    before: { startedAt: cursor.startedAt, id: cursor.id },
  });
}
