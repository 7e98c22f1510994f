/**
 * @module adapters/crypto/hmac-verification-codes.ts without node:crypto, for
 * the core's tests in Chromium (test/runtimes/vitest.config.ts aliases it
 * there only): the same HMAC-SHA256 of `id:code`, base64url, on
 * @noble/hashes. verification-codes-stand-in.test.ts checks in Node that it
 * hashes exactly as the adapter does.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { VERIFICATION_RULES, type VerificationCodes } from '../../core/index.js';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export function createHmacVerificationCodes(options: {
  readonly key: Uint8Array;
}): VerificationCodes {
  if (options.key.byteLength < 32) throw new Error('The verification code key needs 32 bytes.');
  const hash = (id: string, code: string) =>
    base64url(hmac(sha256, options.key, new TextEncoder().encode(`${id}:${code}`)));
  const limit = 10 ** VERIFICATION_RULES.codeLength;
  // Rejection sampling: no modulo bias.
  const bound = Math.floor(2 ** 32 / limit) * limit;
  return {
    generate() {
      for (;;) {
        const [value] = crypto.getRandomValues(new Uint32Array(1));
        if (value! < bound) {
          return String(value! % limit).padStart(VERIFICATION_RULES.codeLength, '0');
        }
      }
    },
    hash,
    matches(id, code, codeHash) {
      const actual = hash(id, code);
      let difference = actual.length ^ codeHash.length;
      for (let i = 0; i < actual.length; i++) {
        difference |= actual.charCodeAt(i) ^ codeHash.charCodeAt(i);
      }
      return difference === 0;
    },
  };
}
