/** @module Finds a user by username, ignoring case. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { ProfileView, UserId } from '../model.js';
import { isValidUsername } from '../rules.js';
import { viewProfile } from './get-profile.js';
import { toProfile } from './session.js';

/**
 * The profile of the user named `username` (any case) as `callerId` sees it
 * (the phone number under `canSeePhoneNumber`); `USER_NOT_FOUND` otherwise,
 * and also when that user blocks the caller, exactly as for a name nobody has.
 */
export async function findByUsername(
  deps: Pick<Deps, 'users' | 'blocks' | 'messages'>,
  input: { readonly username: string; readonly callerId: UserId },
): Promise<ProfileView> {
  const user = isValidUsername(input.username)
    ? await deps.users.findByUsername(input.username)
    : null;
  const blocked = user !== null && (await deps.blocks.find(user.id, input.callerId)) !== null;
  if (!user || blocked) throw new DomainError('USER_NOT_FOUND', 'No user has this username.');
  return viewProfile(deps, input.callerId, toProfile(user));
}
