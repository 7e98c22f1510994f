/** @module Starts a phone verification and sends its first code. */
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import {
  VERIFICATION_RULES,
  type Verification,
  type VerificationId,
  type VerificationTransport,
} from '../model.js';
import { callingCodeOf, normalizePhoneNumber, PHONE_NUMBER_RULE } from '../rules.js';
import {
  nextCodeAt,
  requireVerifier,
  toVerificationView,
  type VerificationView,
} from './verification.js';

export interface StartVerificationInput {
  readonly phoneNumber: string;
  readonly transport: VerificationTransport;
  /** For the per-address limit; null when unknown. */
  readonly clientAddress: string | null;
}

/**
 * Starts a verification of `phoneNumber` and sends a code at once. The answer
 * is the same whether or not the number has an account (no user is read).
 * The code limits (per number, calling code and client address) are spent
 * before anything is stored or sent.
 */
export async function startVerification(
  deps: Pick<
    Deps,
    'verifications' | 'verificationCodes' | 'phoneVerifier' | 'codeSendLimiter' | 'clock' | 'ids'
  >,
  input: StartVerificationInput,
): Promise<VerificationView> {
  const phoneNumber = normalizePhoneNumber(input.phoneNumber);
  if (phoneNumber === null) {
    throw ValidationError.at('phoneNumber', PHONE_NUMBER_RULE.message);
  }
  const verifier = requireVerifier(deps);
  await deps.codeSendLimiter.consume({
    phoneNumber,
    callingCode: callingCodeOf(phoneNumber),
    clientAddress: input.clientAddress,
  });
  const id = deps.ids.newId() as VerificationId;
  const now = deps.clock.now();
  let codeHash: string | null = null;
  let code: string | null = null;
  if (verifier.ownsCodes) {
    await verifier.send({ phoneNumber, transport: input.transport });
  } else {
    code = deps.verificationCodes.generate();
    codeHash = deps.verificationCodes.hash(id, code);
  }
  const verification: Verification = {
    id,
    phoneNumber,
    transport: input.transport,
    createdAt: now,
    expiresAt: new Date(now.getTime() + VERIFICATION_RULES.codeTtlMs),
    codeHash,
    codesSent: 1,
    nextCodeAt: nextCodeAt(now, 1),
    attempts: 0,
    verifiedAt: null,
    used: false,
  };
  await deps.verifications.create(verification);
  if (!verifier.ownsCodes && code !== null) {
    await verifier.deliver({ phoneNumber, transport: input.transport, code });
  }
  return toVerificationView(verification);
}
