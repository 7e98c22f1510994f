/**
 * @module The code send limits on the server's named rate limiters: one code
 * spends a point per client address, per number and per calling code, in
 * that order. A rejection by a later limit leaves the earlier points spent,
 * which only errs on the side of fewer codes; the address goes first so that
 * one client hammering cannot use up a number's or a country's budget.
 */
import type { CodeSendLimiter } from '../../core/index.js';
import type { RateLimiters } from './rate-limiters.js';

export function createRateLimitedCodeSendLimiter(
  limiters: Pick<RateLimiters, 'codePerPhone' | 'codePerIp' | 'codePerCallingCode'>,
): CodeSendLimiter {
  return {
    async consume({ phoneNumber, callingCode, clientAddress }) {
      if (clientAddress !== null) await limiters.codePerIp.consume(clientAddress);
      await limiters.codePerPhone.consume(phoneNumber);
      await limiters.codePerCallingCode.consume(callingCode);
    },
  };
}
