/** @module Finds a user by username, ignoring case. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Profile, UserId } from '../model.js';
import { isValidUsername } from '../rules.js';
import { toProfile } from './session.js';

/**
 * The profile of the user named `username` (any case); `USER_NOT_FOUND`
 * otherwise, and also when that user blocks `callerId` (the caller; every
 * edge passes it), exactly as for a name nobody has.
 */
export async function findByUsername(
  deps: Pick<Deps, 'users' | 'blocks'>,
  input: { readonly username: string; readonly callerId?: UserId },
): Promise<Profile> {
  const user = isValidUsername(input.username)
    ? await deps.users.findByUsername(input.username)
    : null;
  const blocked =
    user !== null &&
    input.callerId !== undefined &&
    (await deps.blocks.find(user.id, input.callerId)) !== null;
  if (!user || blocked) throw new DomainError('USER_NOT_FOUND', 'No user has this username.');
  return toProfile(user);
}
