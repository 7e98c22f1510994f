/** @module Resolves a presented token to its user and device session. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import { type DeviceSession, SESSION_TOUCH_INTERVAL_MS, type User } from '../model.js';

/**
 * The user and session a token belongs to. Throws `UNAUTHENTICATED` for a
 * token that does not verify, whose session has ended or whose user no
 * longer exists. Refreshes the session's `lastSeenAt` at most once a minute.
 *
 * The user is read from the store on every call: nothing announces a changed
 * account. The session read may be answered by a cache of live sessions
 * (the port says what it may lag on): the server's composition puts one in
 * front of MongoDB that drops a session when its end is announced, and
 * reads the store whenever an announcement could have been missed. The two
 * reads run concurrently.
 */
export async function authenticate(
  deps: Pick<Deps, 'users' | 'tokens' | 'sessions' | 'clock'>,
  token: string,
): Promise<{ user: User; session: DeviceSession; expiresAt: Date }> {
  const { userId, sessionId, expiresAt } = await deps.tokens.verify(token);
  const [user, session] = await Promise.all([
    deps.users.findById(userId),
    deps.sessions.findById(sessionId),
  ]);
  if (!session || session.userId !== userId) {
    throw new DomainError('UNAUTHENTICATED', 'The session of this token has ended.');
  }
  if (!user) throw new DomainError('UNAUTHENTICATED', 'The token does not belong to any user.');
  const now = deps.clock.now();
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
    await deps.sessions.touch(session.id, now, SESSION_TOUCH_INTERVAL_MS);
  }
  return { user, session, expiresAt };
}
