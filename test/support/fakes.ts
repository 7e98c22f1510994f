/**
 * @module Fast stand-ins for the slow or secret-bearing ports, for core tests
 * only: a transparent password "hash" and opaque in-memory tokens. Adapter
 * tests always use the real argon2 and jose adapters.
 */
import {
  type Clock,
  DomainError,
  type PasswordHasher,
  type PhoneVerifier,
  type SessionId,
  type TokenService,
  type UserId,
  type VerificationTransport,
} from '../../core/index.js';

export function createFakePasswordHasher(): PasswordHasher & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async hash(password) {
      calls.push('hash');
      return `fake-hash:${password}`;
    },
    async verify(hash, password) {
      calls.push('verify');
      return hash === `fake-hash:${password}`;
    },
    async verifyNothing() {
      calls.push('verifyNothing');
      return false;
    },
  };
}

export function createFakeTokenService(clock: Clock, ttlSec = 3600): TokenService {
  const tokens = new Map<string, { userId: UserId; sessionId: SessionId; expiresAt: Date }>();
  let next = 0;
  return {
    async issue(userId, sessionId) {
      const token = `token-${++next}`;
      const expiresAt = new Date(clock.now().getTime() + ttlSec * 1000);
      tokens.set(token, { userId, sessionId, expiresAt });
      return { token, expiresAt };
    },
    async verify(token) {
      const found = tokens.get(token);
      if (!found || found.expiresAt <= clock.now()) {
        throw new DomainError('UNAUTHENTICATED', 'Invalid token.');
      }
      return found;
    },
    forgetSessions() {},
  };
}

/** One code the recording verifier was asked to deliver. */
export interface DeliveredCode {
  readonly phoneNumber: string;
  readonly transport: VerificationTransport;
  readonly code: string;
}

/** A verifier for codes we own that keeps what it "sent", newest last. */
export function createRecordingPhoneVerifier(): PhoneVerifier & {
  readonly ownsCodes: false;
  readonly delivered: DeliveredCode[];
  /** The last code sent to `phoneNumber`. */
  lastCode(phoneNumber: string): string;
} {
  const delivered: DeliveredCode[] = [];
  return {
    ownsCodes: false,
    delivered,
    async deliver(request) {
      delivered.push(request);
    },
    lastCode(phoneNumber) {
      const found = delivered.findLast((d) => d.phoneNumber === phoneNumber);
      if (!found) throw new Error(`No code was sent to ${phoneNumber}.`);
      return found.code;
    },
  };
}
