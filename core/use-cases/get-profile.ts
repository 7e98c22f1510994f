/** @module A user's public profile. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Profile } from '../model.js';
import { toProfile } from './session.js';

/**
 * The profile of `userId`; `USER_NOT_FOUND` for an unknown or malformed id.
 * `caller` is the authenticated caller's profile as this same request read
 * it (authentication reads the user on every request): asking for one's own
 * profile is answered from it, without reading the user a second time.
 */
export async function getProfile(
  deps: Pick<Deps, 'users'>,
  input: { readonly userId: string; readonly caller?: Profile },
): Promise<Profile> {
  if (input.caller !== undefined && input.caller.id === input.userId) return input.caller;
  const user = await deps.users.findById(input.userId);
  if (!user) throw new DomainError('USER_NOT_FOUND', 'No such user.');
  return toProfile(user);
}
