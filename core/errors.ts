/**
 * @module Domain errors. Every error the core raises carries one of the
 * contract's stable codes; the HTTP and WebSocket edges map codes to statuses
 * and frames, never messages.
 */

/** Every error code of the contract (API.md §1 and §7). */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_JSON'
  | 'INVALID_SIGNATURE'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'BUNDLE_NOT_FOUND'
  | 'PHONE_TAKEN'
  | 'USERNAME_TAKEN'
  | 'POOL_FULL'
  | 'PAYLOAD_TOO_LARGE'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL'
  // Phone verification (docs/API.md "Phone verification").
  | 'INVALID_CODE'
  | 'VERIFICATION_NOT_FOUND'
  | 'VERIFICATION_EXPIRED'
  | 'VERIFICATION_EXHAUSTED'
  | 'VERIFICATION_REQUIRED'
  | 'SESSION_NOT_FOUND'
  // WebSocket only (API.md §7).
  | 'UNKNOWN_EVENT'
  | 'NOT_IN_CALL'
  | 'ALREADY_IN_CALL'
  | 'CALL_EXISTS';

/** One offending field: `path` is dot-joined (`oneTimePreKeys.3.keyId`, `""` for the body). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Base of every error the core throws on purpose. */
export class DomainError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Input broke a rule; `details` names each offending field. */
export class ValidationError extends DomainError {
  readonly details: readonly ValidationIssue[];

  constructor(details: readonly ValidationIssue[], message = 'The request is not valid.') {
    super('VALIDATION_FAILED', message);
    this.name = 'ValidationError';
    this.details = details;
  }

  /** One offending field. */
  static at(path: string, message: string): ValidationError {
    return new ValidationError([{ path, message }], message);
  }
}

/** A backing store cannot be reached; the client may retry later. */
export class ServiceUnavailableError extends DomainError {
  constructor(message = 'A backing service is unavailable; retry later.') {
    super('SERVICE_UNAVAILABLE', message);
    this.name = 'ServiceUnavailableError';
  }
}

/** Too many requests; `retryAfterSec` goes to the `Retry-After` header. */
export class RateLimitedError extends DomainError {
  readonly retryAfterSec: number;

  constructor(retryAfterSec: number, message = 'Too many requests; slow down.') {
    super('RATE_LIMITED', message);
    this.name = 'RateLimitedError';
    this.retryAfterSec = retryAfterSec;
  }
}

/** A wrong verification code; `attemptsLeft` checks remain on this verification. */
export class InvalidCodeError extends DomainError {
  readonly attemptsLeft: number;

  constructor(attemptsLeft: number) {
    super(
      'INVALID_CODE',
      attemptsLeft > 0
        ? `The code is wrong; ${attemptsLeft} attempt(s) left.`
        : 'The code is wrong and no attempts are left; start a new verification.',
    );
    this.name = 'InvalidCodeError';
    this.attemptsLeft = attemptsLeft;
  }
}

/** True for any error the core raised on purpose. */
export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
