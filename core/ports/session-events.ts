/** @module Tells every instance that sessions ended. */
import type { SessionId, UserId } from '../model.js';

export interface EndedSession {
  readonly userId: UserId;
  readonly sessionId: SessionId;
}

export interface SessionEvents {
  /**
   * Announces ended sessions to every instance, this one included (its
   * sockets are closed with 4401, its verified tokens forgotten). Never throws:
   * the store, read on every request, already refuses the sessions' tokens.
   */
  ended(sessions: readonly EndedSession[]): Promise<void>;
}
