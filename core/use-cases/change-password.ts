/** @module Replaces the caller's password, knowing the current one. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { SessionId, UserId } from '../model.js';
import { checkRules, PASSWORD_RULE, WELL_FORMED_RULE } from '../rules.js';

export interface ChangePasswordInput {
  readonly userId: UserId;
  /** The caller's session: the only one left afterwards. */
  readonly currentSessionId: SessionId;
  readonly currentPassword: string;
  readonly newPassword: string;
}

/**
 * Checks `currentPassword`, stores the hash of `newPassword` and ends every
 * other session of the account (their tokens refused at once, their sockets
 * closed 4401 on every instance); the caller's session stays. A wrong current
 * password is `INVALID_CREDENTIALS`, as at login. The new password is checked
 * first, by sign-up's rule, so a bad one never costs a hash. Returns how many
 * sessions ended.
 */
export async function changePassword(
  deps: Pick<Deps, 'users' | 'passwords' | 'sessions' | 'sessionEvents'>,
  input: ChangePasswordInput,
): Promise<number> {
  checkRules('newPassword', input.newPassword, WELL_FORMED_RULE, PASSWORD_RULE);
  const user = await deps.users.findById(input.userId);
  const ok = user
    ? await deps.passwords.verify(user.passwordHash, input.currentPassword)
    : await deps.passwords.verifyNothing(input.currentPassword);
  if (!user || !ok) {
    throw new DomainError('INVALID_CREDENTIALS', 'The current password is wrong.');
  }
  const passwordHash = await deps.passwords.hash(input.newPassword);
  if (!(await deps.users.setPasswordHash(user.id, passwordHash))) {
    throw new DomainError('INVALID_CREDENTIALS', 'The current password is wrong.');
  }
  // After the new hash: a session opened with the old password before this
  // point is ended here; none can be opened with it afterwards.
  const ended = await deps.sessions.deleteAllExcept(user.id, input.currentSessionId);
  await deps.sessionEvents.ended(ended.map((sessionId) => ({ userId: user.id, sessionId })));
  return ended.length;
}
