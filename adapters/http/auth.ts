/**
 * @module Token authentication for the HTTP API. A token is accepted as
 * `x-auth-token: <jwt>` and as `Authorization: Bearer <jwt>` (scheme in any
 * case). Every credential header that is present must hold a valid token:
 * when both are sent, both must verify and name the same user, else `401`.
 * A token verifies only while its device session lives (on MongoDB a
 * session read in the last SESSION_CACHE_MS answers from memory until its
 * end is announced: adapters/wire/live-session-cache.ts).
 * Nothing is ever guessed from an ambiguous request.
 */
import type { MiddlewareHandler } from 'hono';
import { authenticate, type Deps, DomainError, toProfile } from '../../core/index.js';
import type { AuthEnv } from './env.js';
import { requestHeader } from './node-bindings.js';
import { withOpenApi } from './openapi.js';

export interface AuthOptions {
  /** The stores the core's `authenticate` reads. */
  readonly deps: Pick<Deps, 'users' | 'tokens' | 'sessions' | 'clock'>;
  /** The header carrying a bare token. Default `x-auth-token`. */
  readonly tokenHeader?: string;
}

// RFC 6750 §2.1: "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Middleware that authenticates the caller and sets `user` (a profile) and
 * `tokenExpiresAt` in the context; anything wrong is `401 UNAUTHENTICATED`.
 */
export function requireAuth(options: AuthOptions): MiddlewareHandler<AuthEnv> {
  const tokenHeader = (options.tokenHeader ?? 'x-auth-token').toLowerCase();
  const middleware: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const tokens = presentedTokens(
      requestHeader(c, tokenHeader),
      requestHeader(c, 'authorization'),
    );
    const sessions = await Promise.all(tokens.map((token) => authenticate(options.deps, token)));
    const [first, ...others] = sessions;
    if (first === undefined) throw unauthenticated('No token: send x-auth-token or Bearer.');
    let expiresAt = first.expiresAt;
    for (const other of others) {
      if (other.user.id !== first.user.id) {
        throw unauthenticated('The two tokens presented belong to different users.');
      }
      if (other.expiresAt < expiresAt) expiresAt = other.expiresAt;
    }
    c.set('user', toProfile(first.user));
    c.set('tokenExpiresAt', expiresAt);
    // Two tokens of one user may belong to two sessions: the first presented is current.
    c.set('sessionId', first.session.id);
    await next();
  };
  // OpenAPI: every route behind this middleware takes either header and may answer 401.
  return withOpenApi(middleware, {
    security: [{ bearerAuth: [] }, { tokenHeader: [] }],
    'x-error-codes': ['UNAUTHENTICATED'],
  });
}

function presentedTokens(bare: string | undefined, authorization: string | undefined): string[] {
  const tokens: string[] = [];
  if (bare !== undefined) {
    const token = bare.trim();
    if (token === '') throw unauthenticated('The x-auth-token header is empty.');
    tokens.push(token);
  }
  if (authorization !== undefined) {
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) throw unauthenticated('Authorization must be "Bearer <token>".');
    if (!tokens.includes(token)) tokens.push(token);
  }
  return tokens;
}

function unauthenticated(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}
