/** @module Finds a user by username, ignoring case. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Profile } from '../model.js';
import { isValidUsername } from '../rules.js';
import { toProfile } from './session.js';

/** The profile of the user named `username` (any case); `USER_NOT_FOUND` otherwise. */
export async function findByUsername(
  deps: Pick<Deps, 'users'>,
  input: { readonly username: string },
): Promise<Profile> {
  const user = isValidUsername(input.username)
    ? await deps.users.findByUsername(input.username)
    : null;
  if (!user) throw new DomainError('USER_NOT_FOUND', 'No user has this username.');
  return toProfile(user);
}
