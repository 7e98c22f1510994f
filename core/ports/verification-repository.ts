/** @module The store of phone verifications. */
import type { Verification, VerificationId } from '../model.js';

/** What sending a new code changes. */
export interface RecordedCode {
  /** The code's number: 1 for the first. */
  readonly number: number;
  readonly codeHash: string | null;
  readonly transport: Verification['transport'];
  readonly expiresAt: Date;
  readonly nextCodeAt: Date | null;
}

/**
 * Verifications by id. Guarantees, under any concurrency and on every
 * adapter: `claimAttempt` succeeds at most `max` times per verification,
 * `claimCode` at most once per (verification, number), `consume` at most
 * once per verification. Ids that are malformed for the store are unknown.
 */
export interface VerificationRepository {
  /** Stores a new verification; its first code is claimed with it (`codesSent` 1). */
  create(verification: Verification): Promise<void>;
  findById(id: string): Promise<Verification | null>;
  /** Counts one check; its number (1-based), or null when `max` were counted already. */
  claimAttempt(id: VerificationId, max: number): Promise<number | null>;
  /** Reserves code number `number`; false when it was reserved already. */
  claimCode(id: VerificationId, number: number): Promise<boolean>;
  /** Stores the code claimed as `code.number` (an older number never overwrites a newer one). */
  recordCode(id: VerificationId, code: RecordedCode): Promise<void>;
  /** Marks it verified at `at`, usable until `expiresAt`. */
  markVerified(id: VerificationId, at: Date, expiresAt: Date): Promise<void>;
  /** Uses it up; true for exactly one call per verification. */
  consume(id: VerificationId): Promise<boolean>;
}
