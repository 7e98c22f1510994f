/** @module Edits the caller's own profile and settings (`PATCH /api/users/me`). */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError, type ValidationIssue } from '../errors.js';
import type { Account, AccountChanges, UserId } from '../model.js';
import { isValidUsername, normalizeDisplayName } from '../rules.js';
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
  const issues: ValidationIssue[] = [];
  let displayName: string | undefined;
  if (input.displayName !== undefined) {
    displayName = normalizeDisplayName(input.displayName) ?? undefined;
    if (displayName === undefined) {
      issues.push({
        path: 'displayName',
        message: 'Must be 1–64 characters after trimming, without control characters.',
      });
    }
  }
  if (input.username !== undefined && input.username !== null && !isValidUsername(input.username)) {
    issues.push({ path: 'username', message: 'Must be 3–32 of A–Z, a–z, 0–9, _ and .' });
  }
  if (issues.length > 0) throw new ValidationError(issues);

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
