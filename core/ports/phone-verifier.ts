/** @module What delivers verification codes (and, for some providers, checks them). */
import type { VerificationTransport } from '../model.js';

/** The answer of a provider that checks its own codes. */
export type RemoteCheckResult = 'approved' | 'wrong' | 'expired' | 'exhausted';

/**
 * Either we own the code (`ownsCodes: false`: the core draws it, stores its
 * keyed hash, and the verifier only delivers it) or the provider does
 * (`ownsCodes: true`: Twilio Verify sends and checks). Delivery problems are
 * thrown as domain errors: `VALIDATION_FAILED` (a number the provider will not
 * send to), `RATE_LIMITED`, `SERVICE_UNAVAILABLE`.
 */
export type PhoneVerifier =
  | {
      readonly ownsCodes: false;
      deliver(request: {
        readonly phoneNumber: string;
        readonly transport: VerificationTransport;
        readonly code: string;
      }): Promise<void>;
    }
  | {
      readonly ownsCodes: true;
      /** Starts (or re-sends) the provider's verification of the number. */
      send(request: {
        readonly phoneNumber: string;
        readonly transport: VerificationTransport;
      }): Promise<void>;
      check(request: {
        readonly phoneNumber: string;
        readonly code: string;
      }): Promise<RemoteCheckResult>;
    };
