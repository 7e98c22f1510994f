/** @module Signs a user in with phone number and password. */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import { normalizePhoneNumber, PHONE_NUMBER_RULE } from '../rules.js';
import { checkedDeviceName, type DeviceInput, openSession, type Session } from './session.js';

export interface LoginInput extends DeviceInput {
  readonly phoneNumber: string;
  readonly password: string;
}

/**
 * Checks the password and opens a device session. An unknown phone and a wrong
 * password fail alike (`INVALID_CREDENTIALS`) and both spend one hash, so the
 * answer and its timing reveal nothing about who is registered.
 */
export async function login(
  deps: Pick<Deps, 'users' | 'passwords' | 'tokens' | 'sessions' | 'clock' | 'ids'>,
  input: LoginInput,
): Promise<Session> {
  const phoneNumber = normalizePhoneNumber(input.phoneNumber);
  if (phoneNumber === null) {
    throw ValidationError.at('phoneNumber', PHONE_NUMBER_RULE.message);
  }
  const deviceName = checkedDeviceName(input);
  const user = await deps.users.findByPhoneNumber(phoneNumber);
  const ok = user
    ? await deps.passwords.verify(user.passwordHash, input.password)
    : await deps.passwords.verifyNothing(input.password);
  if (!user || !ok) {
    throw new DomainError('INVALID_CREDENTIALS', 'Phone number or password is wrong.');
  }
  const session = await openSession(deps, user, deviceName);
  // A password change, reset or account deletion that landed after the check
  // ends every session it sees; one opened after its sweep is ended here.
  const now = await deps.users.findById(user.id);
  if (now?.passwordHash !== user.passwordHash) {
    await deps.sessions.delete(user.id, session.sessionId);
    throw new DomainError('INVALID_CREDENTIALS', 'Phone number or password is wrong.');
  }
  return session;
}
