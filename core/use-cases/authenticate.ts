/** @module Resolves a presented token to its user. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { User } from '../model.js';

/**
 * The user a token belongs to. Throws `UNAUTHENTICATED` for a token that does
 * not verify and for one whose user no longer exists.
 */
export async function authenticate(
  deps: Pick<Deps, 'users' | 'tokens'>,
  token: string,
): Promise<{ user: User; expiresAt: Date }> {
  const { userId, expiresAt } = await deps.tokens.verify(token);
  const user = await deps.users.findById(userId);
  if (!user) throw new DomainError('UNAUTHENTICATED', 'The token does not belong to any user.');
  return { user, expiresAt };
}
