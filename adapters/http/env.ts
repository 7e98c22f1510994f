/**
 * @module What the HTTP app's middleware and routes share: the ports they
 * use and the typed context variables.
 */
import type { Deps, Profile, SessionId } from '../../core/index.js';
import type { BodyGuard } from './body-guard.js';
import type { RateLimiters } from './rate-limiters.js';

/**
 * The ports the HTTP routes touch. A full `Deps` fits; tests need not build
 * the ports only the WebSocket edge uses (the presence queue, the ring timeout).
 */
export type HttpDeps = Pick<
  Deps,
  | 'users'
  | 'messages'
  | 'conversations'
  | 'keyBundles'
  | 'presence'
  | 'notifier'
  | 'passwords'
  | 'tokens'
  | 'signatures'
  | 'clock'
  | 'ids'
  | 'calls'
  | 'sessions'
  | 'sessionEvents'
  | 'verifications'
  | 'phoneVerifier'
  | 'verificationCodes'
  | 'codeSendLimiter'
  | 'phoneVerification'
  // Blocking: a block ends a live call and changes what presence shows.
  | 'blocks'
  | 'callState'
  | 'scheduler'
  | 'callQueue'
  // The event log: sends log `new-message`; `GET /api/sync` reads it.
  | 'events'
  | 'readMarks'
  | 'deliveries'
  | 'eventQueue'
  | 'eventRetentionMs'
  | 'presenceSubscriptions'
  // Push registrations; a call a block ends stops ringing on pushed devices.
  | 'pushes'
>;

/** Variables every request carries. */
export interface AppVariables {
  /** From `X-Request-Id` when the client sent a sane one, else a fresh UUID. */
  requestId: string;
  /** The `RATE_LIMITS` switch; false turns every HTTP rate limit off. */
  rateLimits: boolean;
  /** The limiters `rateLimit()` spends from; undefined when `rateLimits` is false. */
  rateLimiters: RateLimiters | undefined;
  /**
   * Reverse proxies of ours in front of the server (`TRUST_PROXY`): how the
   * key of per-IP limits is read (client-address.ts), when one is spent.
   */
  trustProxy: number;
  /** Bounds body reads (deadline, large bodies per address); absent in bare test apps. */
  bodyGuard: BodyGuard | undefined;
}

/** The environment of every route. */
export interface AppEnv {
  Variables: AppVariables;
}

/** The environment of routes behind the auth middleware. */
export interface AuthEnv {
  Variables: AppVariables & {
    /** The authenticated caller. */
    user: Profile;
    /** When the presented token stops being valid. */
    tokenExpiresAt: Date;
    /** The device session of the presented token. */
    sessionId: SessionId;
  };
}
