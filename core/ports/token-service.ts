/** @module Session tokens. */
import type { UserId } from '../model.js';

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface VerifiedToken {
  readonly userId: UserId;
  readonly expiresAt: Date;
}

export interface TokenService {
  issue(userId: UserId): Promise<IssuedToken>;
  /** Throws `DomainError('UNAUTHENTICATED')` for anything but a valid, current token of ours. */
  verify(token: string): Promise<VerifiedToken>;
}
