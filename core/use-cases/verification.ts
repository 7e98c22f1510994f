/** @module What the verification use cases share: the client's view and the checks before use. */
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import {
  VERIFICATION_RULES,
  type Verification,
  type VerificationId,
  type VerificationTransport,
} from '../model.js';

/** What the client sees of a verification. */
export interface VerificationView {
  readonly id: VerificationId;
  readonly phoneNumber: string;
  readonly transport: VerificationTransport;
  readonly expiresAt: Date;
  readonly nextCodeAt: Date | null;
  readonly attemptsLeft: number;
  readonly verified: boolean;
}

export function toVerificationView(verification: Verification): VerificationView {
  return {
    id: verification.id,
    phoneNumber: verification.phoneNumber,
    transport: verification.transport,
    expiresAt: verification.expiresAt,
    nextCodeAt: verification.nextCodeAt,
    attemptsLeft: Math.max(0, VERIFICATION_RULES.maxAttempts - verification.attempts),
    verified: verification.verifiedAt !== null,
  };
}

export function verificationNotFound(): DomainError {
  return new DomainError('VERIFICATION_NOT_FOUND', 'No such verification.');
}

export function verificationExpired(message = 'This verification has expired; start a new one.') {
  return new DomainError('VERIFICATION_EXPIRED', message);
}

/** The verification, if it exists and can still change (unexpired, unused). */
export async function liveVerification(
  deps: Pick<Deps, 'verifications' | 'clock'>,
  id: string,
): Promise<Verification> {
  const verification = await deps.verifications.findById(id);
  if (!verification) throw verificationNotFound();
  if (verification.used) throw verificationExpired('This verification has been used already.');
  if (deps.clock.now() >= verification.expiresAt) throw verificationExpired();
  return verification;
}

/**
 * Checks that `id` proves `phoneNumber` (verified, unexpired, unused) without
 * using it up; `consumeVerification` then does, once.
 */
export async function verifiedVerification(
  deps: Pick<Deps, 'verifications' | 'clock'>,
  id: string,
  phoneNumber: string | null,
): Promise<Verification> {
  const verification = await liveVerification(deps, id);
  if (verification.verifiedAt === null) {
    throw new DomainError('VERIFICATION_REQUIRED', 'This verification has not been completed.');
  }
  if (phoneNumber !== null && verification.phoneNumber !== phoneNumber) {
    throw new DomainError('VERIFICATION_REQUIRED', 'This verification is for another number.');
  }
  return verification;
}

/** Uses the verification up; exactly one caller wins. */
export async function consumeVerification(
  deps: Pick<Deps, 'verifications'>,
  verification: Verification,
): Promise<void> {
  if (!(await deps.verifications.consume(verification.id))) {
    throw verificationExpired('This verification has been used already.');
  }
}

/** When resend `codesSent + 1` may go out after code `codesSent`; null when no more codes. */
export function nextCodeAt(sentAt: Date, codesSent: number): Date | null {
  if (codesSent >= VERIFICATION_RULES.maxCodes) return null;
  const delays = VERIFICATION_RULES.resendDelaysSec;
  const delaySec = delays[Math.min(codesSent - 1, delays.length - 1)] ?? 0;
  return new Date(sentAt.getTime() + delaySec * 1000);
}

/** Phone verification is configured on this server. */
export function requireVerifier(deps: Pick<Deps, 'phoneVerifier'>) {
  if (deps.phoneVerifier === null) {
    throw new DomainError('NOT_FOUND', 'Phone verification is not configured on this server.');
  }
  return deps.phoneVerifier;
}

/** Sends code `number` of `verification` (drawn here when we own codes) and records it. */
export async function sendCode(
  deps: Pick<Deps, 'verifications' | 'verificationCodes' | 'phoneVerifier' | 'clock'>,
  verification: Pick<Verification, 'id' | 'phoneNumber'>,
  number: number,
  transport: VerificationTransport,
): Promise<{ expiresAt: Date; nextCodeAt: Date | null }> {
  const verifier = requireVerifier(deps);
  const now = deps.clock.now();
  const recorded = {
    number,
    transport,
    expiresAt: new Date(now.getTime() + VERIFICATION_RULES.codeTtlMs),
    nextCodeAt: nextCodeAt(now, number),
  };
  if (verifier.ownsCodes) {
    await verifier.send({ phoneNumber: verification.phoneNumber, transport });
    await deps.verifications.recordCode(verification.id, { ...recorded, codeHash: null });
  } else {
    const code = deps.verificationCodes.generate();
    // Recorded before delivery, so the code checks as soon as it arrives.
    const codeHash = deps.verificationCodes.hash(verification.id, code);
    await deps.verifications.recordCode(verification.id, { ...recorded, codeHash });
    await verifier.deliver({ phoneNumber: verification.phoneNumber, transport, code });
  }
  return recorded;
}
