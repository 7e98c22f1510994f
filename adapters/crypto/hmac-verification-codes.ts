/**
 * @module Verification codes we own: six digits drawn with `crypto.randomInt`
 * (a CSPRNG, no modulo bias), stored as HMAC-SHA256(key, verificationId ":"
 * code). The key never leaves the process, so a leaked database does not
 * give the codes away by a 10^6 brute force; binding the id makes one code's
 * hash useless for any other verification. Compared with `timingSafeEqual`.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { VERIFICATION_RULES, type VerificationCodes } from '../../core/index.js';

export interface HmacVerificationCodesOptions {
  /** The HMAC key; at least 32 bytes of secret. */
  readonly key: Uint8Array;
}

export function createHmacVerificationCodes(
  options: HmacVerificationCodesOptions,
): VerificationCodes {
  if (options.key.byteLength < 32) throw new Error('The verification code key needs 32 bytes.');
  const key = Buffer.from(options.key);
  const digest = (id: string, code: string) =>
    createHmac('sha256', key).update(`${id}:${code}`).digest();
  const limit = 10 ** VERIFICATION_RULES.codeLength;

  return {
    generate() {
      return String(randomInt(0, limit)).padStart(VERIFICATION_RULES.codeLength, '0');
    },
    hash(id, code) {
      return digest(id, code).toString('base64url');
    },
    matches(id, code, codeHash) {
      const expected = Buffer.from(codeHash, 'base64url');
      const actual = digest(id, code);
      return expected.byteLength === actual.byteLength && timingSafeEqual(expected, actual);
    },
  };
}

/** The code key derived from the token secret, so every instance of a cluster shares it. */
export function verificationKeyFrom(secret: string): Uint8Array {
  return createHmac('sha256', secret).update('my-calls verification codes v1').digest();
}
