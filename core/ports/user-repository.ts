/** @module The user store. */
import type { AccountChanges, User, UserId } from '../model.js';

/**
 * Users by id, phone number and username.
 *
 * Guarantees: phone numbers are unique; usernames are unique without regard to
 * case, and any number of users may have none. Ids that are malformed for the
 * store are treated as unknown (never an error).
 */
export interface UserRepository {
  /**
   * Stores a new user. Throws `DomainError('PHONE_TAKEN')` when the phone is
   * registered (checked before the username), else `DomainError('USERNAME_TAKEN')`
   * when the username is taken in any case. Safe under concurrent calls.
   */
  create(user: User): Promise<User>;
  findById(id: string): Promise<User | null>;
  /** Known users among `ids`, in no particular order; unknown or malformed ids are left out. */
  findByIds(ids: readonly string[]): Promise<User[]>;
  findByPhoneNumber(phoneNumber: string): Promise<User | null>;
  /** Known users among normalized `phoneNumbers`, in no particular order. */
  findByPhoneNumbers(phoneNumbers: readonly string[]): Promise<User[]>;
  /** Case-insensitive. */
  findByUsername(username: string): Promise<User | null>;
  /** Replaces the password hash (a password reset); false when the user is unknown. */
  setPasswordHash(id: UserId, passwordHash: string): Promise<boolean>;
  /** Stores when the user was last seen online. */
  setLastSeen(id: UserId, at: Date): Promise<void>;
  /**
   * Applies `changes` (already checked by the core) and returns the user as
   * stored afterwards; null when the user is unknown. Throws
   * `DomainError('USERNAME_TAKEN')` when another user holds the new username
   * in any case (the user's own, in another case, is fine). Safe under
   * concurrent calls: of two users claiming one username, exactly one wins.
   */
  update(id: UserId, changes: AccountChanges): Promise<User | null>;
  /**
   * Deletes the user (account deletion): first records the deletion as
   * pending, then removes the user in one atomic step, from which on no read
   * finds it and its phone number and username are free to register. True
   * when this call found the user. Calling it again, or for a user already
   * gone, is harmless (the pending record stays until `finishDeletion`).
   */
  delete(id: UserId, at: Date): Promise<boolean>;
  /** Users whose deletion is recorded but not finished, oldest first, at most `limit`. */
  pendingDeletions(limit: number): Promise<UserId[]>;
  /** Removes the user again if it is still there, then the pending record; idempotent. */
  finishDeletion(id: UserId): Promise<void>;
}
