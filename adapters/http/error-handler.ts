/**
 * @module The HTTP edge's one error handler: every error becomes
 * `{ error: { code, message, details? } }` with the status its code maps to.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  type ErrorCode,
  isDomainError,
  RateLimitedError,
  ValidationError,
  type ValidationIssue,
} from '../../core/index.js';
import { presetResponseHeader } from './node-bindings.js';

/** Status of each error code (API.md §1). A code without a status fails the typecheck. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
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
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
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
  };
}

/** Where unexpected errors are reported; structurally the server's `Logger`. */
export interface ErrorLogger {
  error(message: string, error?: unknown): void;
}

export interface ErrorHandlerOptions {
  /** Receives every unexpected error (answered `500 INTERNAL`). Default: `console.error`. */
  readonly logger?: ErrorLogger;
}

/** Hono's own exceptions (thrown by its helpers) mapped to the nearest contract code. */
const CODE_BY_HTTP_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const INTERNAL_MESSAGE = 'Something went wrong on our side; the error has been logged.';

/** Builds the `{ error }` response for `code`. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  details?: readonly ValidationIssue[],
): Response {
  const body: ErrorBody = {
    error:
      code === 'VALIDATION_FAILED' ? { code, message, details: details ?? [] } : { code, message },
  };
  if (code === 'UNAUTHENTICATED') presetResponseHeader(c, 'WWW-Authenticate', 'Bearer');
  return c.json(body, STATUS_BY_CODE[code]);
}

/**
 * The app's `onError`: domain errors keep their code, Hono's exceptions get
 * the nearest code, anything else is logged (with the request id) and
 * answered `500 INTERNAL` without a word about what failed.
 */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const logger: ErrorLogger = options.logger ?? {
    error: (message, error) => console.error(message, error),
  };
  return (error, c) => {
    if (isDomainError(error)) {
      if (error instanceof RateLimitedError || error.code === 'RATE_LIMITED') {
        const seconds = error instanceof RateLimitedError ? error.retryAfterSec : 1;
        presetResponseHeader(c, 'Retry-After', String(Math.max(1, Math.ceil(seconds))));
      }
      const details = error instanceof ValidationError ? error.details : undefined;
      return errorResponse(c, error.code, error.message, details);
    }
    const mapped = error instanceof HTTPException ? CODE_BY_HTTP_STATUS[error.status] : undefined;
    if (mapped !== undefined) return errorResponse(c, mapped, error.message || mapped);

    const requestId: unknown = c.get('requestId');
    logger.error(`[${String(requestId ?? '-')}] ${c.req.method} ${c.req.path} failed`, error);
    return errorResponse(c, 'INTERNAL', INTERNAL_MESSAGE);
  };
}

/** The app's `notFound`: `404 NOT_FOUND` in the error shape. */
export function createNotFoundHandler(): NotFoundHandler {
  return (c) => errorResponse(c, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`);
}
