/** @module Ends every session of the caller but the current one. */
import type { Deps } from '../deps.js';
import type { SessionId, UserId } from '../model.js';

/** Deletes and announces every other session of `userId`; how many ended. */
export async function endOtherSessions(
  deps: Pick<Deps, 'sessions' | 'sessionEvents'>,
  input: { readonly userId: UserId; readonly currentSessionId: SessionId },
): Promise<number> {
  const ended = await deps.sessions.deleteAllExcept(input.userId, input.currentSessionId);
  await deps.sessionEvents.ended(ended.map((sessionId) => ({ userId: input.userId, sessionId })));
  return ended.length;
}
