/** @module The caller's own account: profile and settings (`GET /api/users/me`). */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Account, User } from '../model.js';
import { toProfile } from './session.js';

/** The account of `userId`; `UNAUTHENTICATED` when it no longer exists (the caller's token outlived it). */
export async function getAccount(
  deps: Pick<Deps, 'users'>,
  input: { readonly userId: string },
): Promise<Account> {
  const user = await deps.users.findById(input.userId);
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists.');
  return toAccount(user);
}

/** The owner's view of a user. */
export function toAccount(user: User): Account {
  return {
    profile: toProfile(user),
    readReceipts: user.readReceipts,
    typingIndicators: user.typingIndicators,
  };
}
