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
import { type Session, toProfile } from './session.js';

export interface RegisterInput {
  readonly phoneNumber: string;
  readonly username: string | null;
  readonly displayName: string;
  readonly password: string;
}

/**
 * Registers a user: normalized phone (unique, checked first), optional
 * case-insensitively unique username, trimmed display name, argon2-hashed
 * password. Returns a session, so the new user is signed in at once.
 */
export async function register(
  deps: Pick<Deps, 'users' | 'passwords' | 'tokens' | 'clock' | 'ids'>,
  input: RegisterInput,
): Promise<Session> {
  const issues = [
    ruleIssue('phoneNumber', input.phoneNumber, PHONE_NUMBER_RULE),
    input.username === null ? null : ruleIssue('username', input.username, USERNAME_RULE),
    ruleIssue('displayName', input.displayName, DISPLAY_NAME_RULE),
    ruleIssue('password', input.password, WELL_FORMED_RULE, PASSWORD_RULE),
  ].filter((issue) => issue !== null);
  const phoneNumber = normalizePhoneNumber(input.phoneNumber);
  const displayName = normalizeDisplayName(input.displayName);
  if (issues.length > 0 || phoneNumber === null || displayName === null) {
    throw new ValidationError(issues);
  }

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
  await deps.users.create(user);
  const { token, expiresAt } = await deps.tokens.issue(user.id);
  return { token, expiresAt, user: toProfile(user) };
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
