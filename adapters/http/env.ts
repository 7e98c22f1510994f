/**
 * @module What the HTTP app's middleware and routes share: the ports they
 * use and the typed context variables.
 */
import type { Deps, Profile } from '../../core/index.js';

/**
 * The ports the HTTP routes touch. A full `Deps` fits; tests need not build
 * the ports only the WebSocket edge uses (calls, call state, scheduler).
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
>;

/** Variables every request carries. */
export interface AppVariables {
  /** From `X-Request-Id` when the client sent a sane one, else a fresh UUID. */
  requestId: string;
  /** The `RATE_LIMITS` switch; false turns every HTTP rate limit off. */
  rateLimits: boolean;
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
  };
}
