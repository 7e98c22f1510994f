/**
 * @module Fast stand-ins for the slow or secret-bearing ports, for core tests
 * only: a transparent password "hash" and opaque in-memory tokens. Adapter
 * tests always use the real argon2 and jose adapters.
 */
import {
  type Clock,
  DomainError,
  type PasswordHasher,
  type TokenService,
  type UserId,
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
  const tokens = new Map<string, { userId: UserId; expiresAt: Date }>();
  let next = 0;
  return {
    async issue(userId) {
      const token = `token-${++next}`;
      const expiresAt = new Date(clock.now().getTime() + ttlSec * 1000);
      tokens.set(token, { userId, expiresAt });
      return { token, expiresAt };
    },
    async verify(token) {
      const found = tokens.get(token);
      if (!found || found.expiresAt <= clock.now()) {
        throw new DomainError('UNAUTHENTICATED', 'Invalid token.');
      }
      return found;
    },
  };
}
