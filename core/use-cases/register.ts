/** @module Creates an account and signs it in. */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { User, UserId } from '../model.js';
import {
  DISPLAY_NAME_RULE,
  normalizeDisplayName,
  normalizePhoneNumber,
  PASSWORD_RULE,
  PHONE_NUMBER_RULE,
  ruleIssue,
  USERNAME_RULE,
  WELL_FORMED_RULE,
} from '../rules.js';
import { checkedDeviceName, type DeviceInput, openSession, type Session } from './session.js';
import { consumeVerification, verifiedVerification } from './verification.js';

export interface RegisterInput extends DeviceInput {
  readonly phoneNumber: string;
  readonly username: string | null;
  readonly displayName: string;
  readonly password: string;
  /** A verified verification of `phoneNumber`; required with `PHONE_VERIFICATION=required`. */
  readonly verificationId?: string | null;
}

/**
 * Registers a user: normalized phone (unique, checked first), optional
 * case-insensitively unique username, trimmed display name, argon2-hashed
 * password. With `phoneVerification: 'required'` (or whenever one is given)
 * a verified verification of the same number is used up first. Returns a
 * session, so the new user is signed in at once on this device.
 */
export async function register(
  deps: Pick<
    Deps,
    | 'users'
    | 'passwords'
    | 'tokens'
    | 'clock'
    | 'ids'
    | 'sessions'
    | 'verifications'
    | 'phoneVerification'
  >,
  input: RegisterInput,
): Promise<Session> {
  const issues = [
    ruleIssue('phoneNumber', input.phoneNumber, PHONE_NUMBER_RULE),
    input.username === null ? null : ruleIssue('username', input.username, USERNAME_RULE),
    ruleIssue('displayName', input.displayName, DISPLAY_NAME_RULE),
    ruleIssue('password', input.password, WELL_FORMED_RULE, PASSWORD_RULE),
  ].filter((issue) => issue !== null);
  let deviceName = '';
  try {
    deviceName = checkedDeviceName(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.details);
  }
  const phoneNumber = normalizePhoneNumber(input.phoneNumber);
  const displayName = normalizeDisplayName(input.displayName);
  if (issues.length > 0 || phoneNumber === null || displayName === null) {
    throw new ValidationError(issues);
  }
  const verificationId = input.verificationId ?? null;
  if (verificationId === null && deps.phoneVerification === 'required') {
    throw new DomainError(
      'VERIFICATION_REQUIRED',
      'Verify the phone number first (POST /api/auth/verification) and send its verificationId.',
    );
  }
  const verification =
    verificationId === null ? null : await verifiedVerification(deps, verificationId, phoneNumber);

  // Cheap uniqueness checks first, so a taken phone does not cost a hash;
  // the repository's create() is the race-safe check.
  await assertAvailable(deps, phoneNumber, input.username);
  const passwordHash = await deps.passwords.hash(input.password);
  const user: User = {
    id: deps.ids.newId() as UserId,
    phoneNumber,
    username: input.username,
    displayName,
    passwordHash,
    createdAt: deps.clock.now(),
    lastSeen: null,
    readReceipts: true,
    typingIndicators: true,
  };
  if (verification !== null) await consumeVerification(deps, verification);
  await deps.users.create(user);
  return openSession(deps, user, deviceName);
}

async function assertAvailable(
  deps: Pick<Deps, 'users'>,
  phoneNumber: string,
  username: string | null,
): Promise<void> {
  if (await deps.users.findByPhoneNumber(phoneNumber)) {
    throw new DomainError('PHONE_TAKEN', 'This phone number is already registered.');
  }
  if (username !== null && (await deps.users.findByUsername(username))) {
    throw new DomainError('USERNAME_TAKEN', 'This username is taken.');
  }
}
