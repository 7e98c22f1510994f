/** @module Password hashing. */

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Spends the time of one `verify` and returns false: used when there is no
   * user to check against, so response time does not reveal whether a phone
   * number is registered.
   */
  verifyNothing(password: string): Promise<false>;
}
