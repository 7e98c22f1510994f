/** @module Sends a new code for a verification in progress. */
import type { Deps } from '../deps.js';
import { DomainError, RateLimitedError } from '../errors.js';
import type { VerificationTransport } from '../model.js';
import { callingCodeOf } from '../rules.js';
import {
  liveVerification,
  sendCode,
  toVerificationView,
  type VerificationView,
} from './verification.js';

export interface ResendVerificationCodeInput {
  readonly verificationId: string;
  /** Absent: the transport of the last code. */
  readonly transport?: VerificationTransport | undefined;
  readonly clientAddress: string | null;
}

/**
 * Sends code n+1, which replaces the current one (valid 10 minutes from now).
 * Before `nextCodeAt`: `RATE_LIMITED` with the seconds left. After the last
 * code a verification allows: `VERIFICATION_EXHAUSTED`. Two resends racing
 * for the same code number send it once; the other is `RATE_LIMITED`.
 * Attempts are not reset by a new code.
 */
export async function resendVerificationCode(
  deps: Pick<
    Deps,
    'verifications' | 'verificationCodes' | 'phoneVerifier' | 'codeSendLimiter' | 'clock'
  >,
  input: ResendVerificationCodeInput,
): Promise<VerificationView> {
  const verification = await liveVerification(deps, input.verificationId);
  if (verification.verifiedAt !== null) {
    throw new DomainError(
      'VERIFICATION_EXHAUSTED',
      'This verification is complete; no more codes are sent for it.',
    );
  }
  const now = deps.clock.now();
  if (verification.nextCodeAt === null) {
    throw new DomainError(
      'VERIFICATION_EXHAUSTED',
      'No more codes are sent for this verification; start a new one.',
    );
  }
  if (now < verification.nextCodeAt) {
    throw new RateLimitedError(
      Math.ceil((verification.nextCodeAt.getTime() - now.getTime()) / 1000),
      'Too early for a new code; retry after the time in Retry-After.',
    );
  }
  await deps.codeSendLimiter.consume({
    phoneNumber: verification.phoneNumber,
    callingCode: callingCodeOf(verification.phoneNumber),
    clientAddress: input.clientAddress,
  });
  const number = verification.codesSent + 1;
  if (!(await deps.verifications.claimCode(verification.id, number))) {
    throw new RateLimitedError(
      30,
      'A new code was just sent; retry after the time in Retry-After.',
    );
  }
  const transport = input.transport ?? verification.transport;
  const sent = await sendCode(deps, verification, number, transport);
  return toVerificationView({
    ...verification,
    ...sent,
    transport,
    codesSent: number,
  });
}
