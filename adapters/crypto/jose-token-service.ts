/**
 * @module HS256 session tokens, verified with jose. The secret is imported once
 * as a non-extractable WebCrypto key; only HS256 with that key is ever accepted.
 * Tokens are signed with node:crypto's HMAC, synchronously: jose signs through
 * WebCrypto, whose HMAC runs on libuv's thread pool: two thread hand-offs
 * and a wake-up of the event loop (about 0.4 ms of a login, measured) for a
 * microsecond of hashing. The bytes are jose's own (this module's tests
 * compare them).
 * Every token names its device session (`sid`); a token without one (issued
 * before sessions existed) is refused, so that every token in use can be
 * ended. Verified tokens are remembered until they expire or their session
 * is forgotten (`forgetSessions`, on every instance when a session ends).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import {
  type Clock,
  DomainError,
  type SessionId,
  type TokenService,
  type UserId,
  type VerifiedToken,
} from '../../core/index.js';

export interface JoseTokenServiceOptions {
  /** The HMAC secret (JWT_SECRET). */
  readonly secret: string;
  /** Token lifetime in seconds (JWT_TTL). */
  readonly ttlSec: number;
  /** Defaults to the system clock. */
  readonly clock?: Clock;
  /** Seconds of clock skew tolerated on `iat` and `exp` between instances. Default 5. */
  readonly clockToleranceSec?: number;
  /**
   * Tokens remembered after a successful verification (default 10 000), so a
   * client's every request does not pay an HMAC again. A remembered token is
   * still refused once its `exp` (with the same tolerance) has passed; 0
   * turns the cache off.
   */
  readonly cacheSize?: number;
}

const base64url = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export async function createJoseTokenService(
  options: JoseTokenServiceOptions,
): Promise<TokenService> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const signingKey = createSecretKey(options.secret, 'utf8');
  const now = () => options.clock?.now() ?? new Date();
  const tolerance = options.clockToleranceSec ?? 5;
  const cacheSize = options.cacheSize ?? 10_000;
  // Insertion-ordered: the first key is the oldest, evicted when full.
  const verified = new Map<string, VerifiedToken>();
  // The remembered tokens of each session, so an ended session's are dropped at once.
  const tokensOfSession = new Map<SessionId, Set<string>>();
  const forget = (token: string) => {
    const known = verified.get(token);
    if (!known) return;
    verified.delete(token);
    const tokens = tokensOfSession.get(known.sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensOfSession.delete(known.sessionId);
  };

  return {
    async issue(userId, sessionId) {
      const iat = Math.floor(now().getTime() / 1000);
      const exp = iat + options.ttlSec;
      // The claims in the order jose's SignJWT writes them.
      const claims = base64url(JSON.stringify({ sid: sessionId, sub: userId, iat, exp }));
      const signed = `${HEADER}.${claims}`;
      const signature = createHmac('sha256', signingKey).update(signed).digest('base64url');
      return { token: `${signed}.${signature}`, expiresAt: new Date(exp * 1000) };
    },

    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt.getTime() + tolerance * 1000 > now().getTime()) return known;
        forget(token);
        throw new DomainError('UNAUTHENTICATED', 'The token has expired.');
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          requiredClaims: ['sub', 'iat', 'exp'],
          currentDate: now(),
          clockTolerance: tolerance,
          // Makes jose check `iat`: a token issued in the future is refused.
          maxTokenAge: options.ttlSec,
        });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
          throw new DomainError('UNAUTHENTICATED', 'The token is not valid.');
        }
        if (typeof payload.sid !== 'string' || payload.sid === '') {
          throw new DomainError(
            'UNAUTHENTICATED',
            'The token predates device sessions; log in again.',
          );
        }
        const result: VerifiedToken = {
          userId: payload.sub as UserId,
          sessionId: payload.sid as SessionId,
          expiresAt: new Date(payload.exp * 1000),
        };
        if (cacheSize > 0) {
          if (verified.size >= cacheSize) forget(verified.keys().next().value as string);
          verified.set(token, result);
          const tokens = tokensOfSession.get(result.sessionId);
          if (tokens) tokens.add(token);
          else tokensOfSession.set(result.sessionId, new Set([token]));
        }
        return result;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        // Whatever a presented token does to the verifier, it is the client's token that is bad.
        const expired = error instanceof errors.JWTExpired && error.claim === 'exp';
        throw new DomainError(
          'UNAUTHENTICATED',
          expired ? 'The token has expired.' : 'The token is not valid.',
        );
      }
    },

    forgetSessions(sessionIds) {
      for (const sessionId of sessionIds) {
        for (const token of [...(tokensOfSession.get(sessionId) ?? [])]) forget(token);
      }
    },
  };
}
