/** @module A code send limiter that never limits (`RATE_LIMITS=off`, core tests). */
import type { CodeSendLimiter } from '../../core/index.js';

export function createUnlimitedCodeSendLimiter(): CodeSendLimiter {
  return { consume: async () => {} };
}
