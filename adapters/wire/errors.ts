/**
 * @module The error shape both transports answer with (API.md §1): the status
 * of each error code and the `{ error: { code, message, details? } }` body.
 */
import type { ErrorCode, ValidationIssue } from '../../core/index.js';

/** The statuses error codes map to. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 410 | 413 | 415 | 429 | 500 | 503;

/** Status of each error code (API.md §1). A code without a status fails the typecheck. */
export const STATUS_BY_CODE: Record<ErrorCode, ErrorStatus> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_SIGNATURE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  BUNDLE_NOT_FOUND: 404,
  PHONE_TAKEN: 409,
  USERNAME_TAKEN: 409,
  POOL_FULL: 409,
  PAYLOAD_TOO_LARGE: 413,
  // Beyond the contract's table (docs/API.md): a body that did not arrive in time.
  REQUEST_TIMEOUT: 408,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  INVALID_CODE: 400,
  VERIFICATION_REQUIRED: 403,
  VERIFICATION_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  VERIFICATION_EXPIRED: 410,
  VERIFICATION_EXHAUSTED: 410,
  // WebSocket-only codes (API.md §7): no HTTP route raises them; should one
  // ever reach this edge, it is a request the current state does not allow.
  UNKNOWN_EVENT: 400,
  NOT_IN_CALL: 409,
  ALREADY_IN_CALL: 409,
  CALL_EXISTS: 409,
};

/** The wire shape of every error. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: readonly ValidationIssue[];
    /** Only on `INVALID_CODE`: checks left on the verification. */
    readonly attemptsLeft?: number;
  };
}

/**
 * The body for `code`; `VALIDATION_FAILED` always lists its `details`
 * (possibly none), `INVALID_CODE` carries `attemptsLeft`.
 */
export function errorBody(
  code: ErrorCode,
  message: string,
  details?: readonly ValidationIssue[],
  attemptsLeft?: number,
): ErrorBody {
  if (code === 'VALIDATION_FAILED') return { error: { code, message, details: details ?? [] } };
  if (attemptsLeft !== undefined) return { error: { code, message, attemptsLeft } };
  return { error: { code, message } };
}
