/** @module Edits the caller's own profile and settings (`PATCH /api/users/me`). */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { Account, AccountChanges, UserId } from '../model.js';
import { DISPLAY_NAME_RULE, normalizeDisplayName, ruleIssue, USERNAME_RULE } from '../rules.js';
import { toAccount } from './get-account.js';

export interface UpdateAccountInput extends AccountChanges {
  readonly userId: UserId;
}

/**
 * Applies the given fields with sign-up's rules (display name trimmed, 1–64
 * code points, no control or bidi characters; username 3–32 of
 * `[A-Za-z0-9_.]`, unique without regard to case, `null` clears it) and
 * returns the account as stored. Absent fields stay as they are; nothing is
 * written when any field is invalid. `USERNAME_TAKEN` when another user holds
 * the username in any case (one's own in another case is fine). Names are
 * never copied elsewhere: every frame and list reads them from the user, so
 * partners see a new name in everything sent after this returns.
 */
export async function updateAccount(
  deps: Pick<Deps, 'users'>,
  input: UpdateAccountInput,
): Promise<Account> {
  const issues = [
    input.displayName === undefined
      ? null
      : ruleIssue('displayName', input.displayName, DISPLAY_NAME_RULE),
    input.username === undefined || input.username === null
      ? null
      : ruleIssue('username', input.username, USERNAME_RULE),
  ].filter((issue) => issue !== null);
  if (issues.length > 0) throw new ValidationError(issues);
  const displayName =
    input.displayName === undefined
      ? undefined
      : (normalizeDisplayName(input.displayName) ?? undefined);

  const changes: AccountChanges = {
    ...(displayName !== undefined && { displayName }),
    ...(input.username !== undefined && { username: input.username }),
    ...(input.readReceipts !== undefined && { readReceipts: input.readReceipts }),
    ...(input.typingIndicators !== undefined && { typingIndicators: input.typingIndicators }),
  };
  const user = await deps.users.update(input.userId, changes);
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists.');
  return toAccount(user);
}
