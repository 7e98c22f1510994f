/** @module A user's profile as the caller may see it. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { Profile, ProfileView, UserId } from '../model.js';
import { toProfile } from './session.js';

/**
 * Who may see a user's phone number (SECURITY.md, docs/API.md): the user
 * themself, and anyone the user has sent a message to. Knowing a user's id or
 * username is not enough: ids travel in every message and call, and a
 * stranger who writes to someone has not been written back. Someone who
 * already knows the number learns nothing new from it either way (contact
 * discovery answers with the numbers it was given).
 */
export async function canSeePhoneNumber(
  deps: Pick<Deps, 'messages'>,
  viewerId: UserId,
  ownerId: UserId,
): Promise<boolean> {
  return viewerId === ownerId || deps.messages.hasSent(ownerId, viewerId);
}

/** `profile` as `viewerId` sees it: the phone number null unless `canSeePhoneNumber`. */
export async function viewProfile(
  deps: Pick<Deps, 'messages'>,
  viewerId: UserId,
  profile: Profile,
): Promise<ProfileView> {
  if (await canSeePhoneNumber(deps, viewerId, profile.id)) return profile;
  return { ...profile, phoneNumber: null };
}

/**
 * The profile of `userId` as `caller` sees it; `USER_NOT_FOUND` for an
 * unknown or malformed id. `caller` is the authenticated caller's profile as
 * this same request read it (authentication reads the user on every
 * request): asking for one's own profile is answered from it, without
 * reading the user a second time.
 */
export async function getProfile(
  deps: Pick<Deps, 'users' | 'messages'>,
  input: { readonly userId: string; readonly caller: Profile },
): Promise<ProfileView> {
  if (input.caller.id === input.userId) return input.caller;
  const user = await deps.users.findById(input.userId);
  if (!user) throw new DomainError('USER_NOT_FOUND', 'No such user.');
  return viewProfile(deps, input.caller.id, toProfile(user));
}
