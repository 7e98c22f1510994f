/** @module A user's public profile. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Profile } from '../model.js';
import { toProfile } from './session.js';

/** The profile of `userId`; `USER_NOT_FOUND` for an unknown or malformed id. */
export async function getProfile(
  deps: Pick<Deps, 'users'>,
  input: { readonly userId: string },
): Promise<Profile> {
  const user = await deps.users.findById(input.userId);
  if (!user) throw new DomainError('USER_NOT_FOUND', 'No such user.');
  return toProfile(user);
}
