/** @module Verification codes: drawn from a CSPRNG and kept only as a keyed hash. */
import type { VerificationId } from '../model.js';

export interface VerificationCodes {
  /** A fresh code of `VERIFICATION_RULES.codeLength` ASCII digits, uniformly drawn. */
  generate(): string;
  /** The keyed hash stored for `code` of verification `id` (bound to it). */
  hash(id: VerificationId, code: string): string;
  /** Compares in constant time. */
  matches(id: VerificationId, code: string, codeHash: string): boolean;
}
