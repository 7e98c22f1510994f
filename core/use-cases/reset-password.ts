/** @module Sets a new password after the phone number was verified. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import { checkRules, PASSWORD_RULE, WELL_FORMED_RULE } from '../rules.js';
import { checkedDeviceName, type DeviceInput, openSession, type Session } from './session.js';
import { consumeVerification, verifiedVerification } from './verification.js';

export interface ResetPasswordInput extends DeviceInput {
  readonly verificationId: string;
  readonly newPassword: string;
}

/**
 * Replaces the password of the account of the verified number, opens a
 * session on this device and ends every other session of the account (their
 * tokens are refused at once, their sockets closed). A number without an
 * account is `USER_NOT_FOUND` (the caller has proved the number is theirs)
 * and leaves the verification unused.
 */
export async function resetPassword(
  deps: Pick<
    Deps,
    | 'users'
    | 'passwords'
    | 'tokens'
    | 'clock'
    | 'ids'
    | 'sessions'
    | 'sessionEvents'
    | 'verifications'
  >,
  input: ResetPasswordInput,
): Promise<Session> {
  checkRules('newPassword', input.newPassword, WELL_FORMED_RULE, PASSWORD_RULE);
  const deviceName = checkedDeviceName(input);
  const verification = await verifiedVerification(deps, input.verificationId, null);
  const user = await deps.users.findByPhoneNumber(verification.phoneNumber);
  if (!user) throw new DomainError('USER_NOT_FOUND', 'No account has this phone number.');
  await consumeVerification(deps, verification);
  const passwordHash = await deps.passwords.hash(input.newPassword);
  if (!(await deps.users.setPasswordHash(user.id, passwordHash))) {
    throw new DomainError('USER_NOT_FOUND', 'No account has this phone number.');
  }
  const session = await openSession(deps, { ...user, passwordHash }, deviceName);
  const ended = await deps.sessions.deleteAllExcept(user.id, session.sessionId);
  await deps.sessionEvents.ended(ended.map((sessionId) => ({ userId: user.id, sessionId })));
  return session;
}
