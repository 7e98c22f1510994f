/** The browser's stand-in for the HMAC verification codes hashes exactly as the adapter does. */
import { describe, expect, it } from 'vitest';
import { createHmacVerificationCodes } from '../../adapters/crypto/hmac-verification-codes.js';
import type { VerificationId } from '../../core/index.js';
import * as standIn from './verification-codes-stand-in.js';

describe('verification codes stand-in', () => {
  const key = new Uint8Array(32).map((_, i) => i * 7);
  const real = createHmacVerificationCodes({ key });
  const browser = standIn.createHmacVerificationCodes({ key });
  const id = '65a1b2c3d4e5f60718293a4b' as VerificationId;

  it('stores the same hash as the adapter, and matches only the right code', () => {
    for (const code of ['000000', '123456', browser.generate(), real.generate()]) {
      expect(browser.hash(id, code)).toBe(real.hash(id, code));
      expect(browser.matches(id, code, real.hash(id, code))).toBe(true);
      expect(
        browser.matches(id, code, real.hash(id, code === '000000' ? '000001' : '000000')),
      ).toBe(false);
    }
  });

  it('draws codes of the configured length, in digits', () => {
    for (let i = 0; i < 50; i++) expect(browser.generate()).toMatch(/^\d{6}$/);
  });
});
