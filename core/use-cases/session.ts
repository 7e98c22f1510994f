/** @module What a successful register or login returns. */
import type { Profile, User } from '../model.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: Profile;
}

/** The public part of a user. */
export function toProfile(user: User): Profile {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    phoneNumber: user.phoneNumber,
    createdAt: user.createdAt,
    lastSeen: user.lastSeen,
  };
}
