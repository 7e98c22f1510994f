/** @module Ends one of the caller's sessions (a remote log-out, or the caller's own). */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { SessionId, UserId } from '../model.js';

/**
 * Deletes session `sessionId` of `userId` and announces it: its tokens are
 * refused and its sockets closed with 4401 on every instance. Another user's
 * session, an unknown or malformed id, or one already ended is
 * `SESSION_NOT_FOUND`.
 */
export async function endSession(
  deps: Pick<Deps, 'sessions' | 'sessionEvents'>,
  input: { readonly userId: UserId; readonly sessionId: string },
): Promise<void> {
  if (!(await deps.sessions.delete(input.userId, input.sessionId))) {
    throw new DomainError('SESSION_NOT_FOUND', 'No such session.');
  }
  const sessionId = input.sessionId as SessionId;
  await deps.sessionEvents.ended([{ userId: input.userId, sessionId }]);
}
