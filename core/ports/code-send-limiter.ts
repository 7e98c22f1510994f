/** @module Rate limits on sending codes (against SMS pumping and enumeration). */

/** Who a code is for and who asked. */
export interface CodeSendKeys {
  /** E.164. */
  readonly phoneNumber: string;
  /** Its country calling code (`callingCodeOf`), e.g. `+44`. */
  readonly callingCode: string;
  /** The requesting client's address; null when unknown. */
  readonly clientAddress: string | null;
}

export interface CodeSendLimiter {
  /** Counts one code; throws `RateLimitedError` when a limit is exceeded (nothing is sent then). */
  consume(keys: CodeSendKeys): Promise<void>;
}
