/** @module Checks a verification code. */
import type { Deps } from '../deps.js';
import { DomainError, InvalidCodeError } from '../errors.js';
import { VERIFICATION_RULES } from '../model.js';
import { checkRules, VERIFICATION_CODE_RULE } from '../rules.js';
import {
  liveVerification,
  requireVerifier,
  toVerificationView,
  type VerificationView,
  verificationExpired,
} from './verification.js';

export interface CheckVerificationCodeInput {
  readonly verificationId: string;
  readonly code: string;
}

function exhausted(): DomainError {
  return new DomainError(
    'VERIFICATION_EXHAUSTED',
    'No attempts are left on this verification; start a new one.',
  );
}

/**
 * Counts one attempt, then compares the code (in constant time; or asks the
 * provider that owns it). Right: the verification is verified and may be used
 * for 10 minutes. Wrong: `INVALID_CODE` with the attempts left. A code that
 * is not six ASCII digits is a `VALIDATION_FAILED` and costs no attempt. A
 * verified verification answers as verified without counting anything.
 * However many checks run at once, at most `maxAttempts` are ever compared.
 */
export async function checkVerificationCode(
  deps: Pick<Deps, 'verifications' | 'verificationCodes' | 'phoneVerifier' | 'clock'>,
  input: CheckVerificationCodeInput,
): Promise<VerificationView> {
  checkRules('code', input.code, VERIFICATION_CODE_RULE);
  const verifier = requireVerifier(deps);
  const verification = await liveVerification(deps, input.verificationId);
  if (verification.verifiedAt !== null) return toVerificationView(verification);
  const max = VERIFICATION_RULES.maxAttempts;
  const attempt = await deps.verifications.claimAttempt(verification.id, max);
  if (attempt === null) throw exhausted();

  let approved: boolean;
  if (verifier.ownsCodes) {
    const result = await verifier.check({
      phoneNumber: verification.phoneNumber,
      code: input.code,
    });
    if (result === 'expired') throw verificationExpired();
    if (result === 'exhausted') throw exhausted();
    approved = result === 'approved';
  } else {
    approved =
      verification.codeHash !== null &&
      deps.verificationCodes.matches(verification.id, input.code, verification.codeHash);
  }
  if (!approved) throw new InvalidCodeError(max - attempt);

  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + VERIFICATION_RULES.verifiedTtlMs);
  await deps.verifications.markVerified(verification.id, now, expiresAt);
  return toVerificationView({ ...verification, attempts: attempt, verifiedAt: now, expiresAt });
}
