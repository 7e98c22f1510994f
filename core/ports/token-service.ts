/** @module Session tokens. */
import type { SessionId, UserId } from '../model.js';

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

export interface VerifiedToken {
  readonly userId: UserId;
  /** The device session the token belongs to (its `sid` claim). */
  readonly sessionId: SessionId;
  readonly expiresAt: Date;
}

export interface TokenService {
  issue(userId: UserId, sessionId: SessionId): Promise<IssuedToken>;
  /**
   * Throws `DomainError('UNAUTHENTICATED')` for anything but a valid, current
   * token of ours that names a session.
   */
  verify(token: string): Promise<VerifiedToken>;
  /** Forgets whatever is remembered about tokens of these ended sessions. */
  forgetSessions(sessionIds: readonly SessionId[]): void;
}
