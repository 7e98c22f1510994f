/**
 * @module The HTTP edge's one error handler: every error becomes
 * `{ error: { code, message, details? } }` with the status its code maps to.
 */
import type { Context, ErrorHandler, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import type { StatusCode } from 'hono/utils/http-status';
import {
  type ErrorCode,
  InvalidCodeError,
  isDomainError,
  RateLimitedError,
  ValidationError,
  type ValidationIssue,
} from '../../core/index.js';
import { errorBody, STATUS_BY_CODE } from '../wire/errors.js';
import { RequestAbortedError } from './body-guard.js';
import { presetResponseHeader } from './node-bindings.js';

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

/** nginx's status for a request the client gave up on; never sent, only recorded. */
export const CLIENT_CLOSED_REQUEST = 499 as StatusCode;

const INTERNAL_MESSAGE = 'Something went wrong on our side; the error has been logged.';

/** Builds the `{ error }` response for `code`. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  details?: readonly ValidationIssue[],
  attemptsLeft?: number,
): Response {
  if (code === 'UNAUTHENTICATED') presetResponseHeader(c, 'WWW-Authenticate', 'Bearer');
  return c.json(errorBody(code, message, details, attemptsLeft), STATUS_BY_CODE[code]);
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
    // Nobody is left to read an answer; the access log and metrics record 499.
    if (error instanceof RequestAbortedError) return c.body(null, CLIENT_CLOSED_REQUEST);
    if (isDomainError(error)) {
      if (error instanceof RateLimitedError || error.code === 'RATE_LIMITED') {
        const seconds = error instanceof RateLimitedError ? error.retryAfterSec : 1;
        presetResponseHeader(c, 'Retry-After', String(Math.max(1, Math.ceil(seconds))));
      }
      const details = error instanceof ValidationError ? error.details : undefined;
      const attemptsLeft = error instanceof InvalidCodeError ? error.attemptsLeft : undefined;
      return errorResponse(c, error.code, error.message, details, attemptsLeft);
    }
    const mapped = error instanceof HTTPException ? CODE_BY_HTTP_STATUS[error.status] : undefined;
    if (mapped !== undefined) return errorResponse(c, mapped, error.message || mapped);

    const requestId: unknown = c.get('requestId');
    logger.error(`[${String(requestId ?? '-')}] ${c.req.method} ${c.req.path} failed`, error);
    return errorResponse(c, 'INTERNAL', INTERNAL_MESSAGE);
  };
}

/** The app's `notFound`: `404 NOT_FOUND` in the error shape. */
/**
 * Answers a request no route took. A known path asked with another method is
 * a 404 NOT_FOUND too (the contract has no 405 code), naming the methods the
 * path does take in `Allow`. Worked out here, only for requests that missed,
 * rather than by hono's `methodNotAllowed` middleware, which wraps every
 * request in one more async frame to look at its status afterwards.
 */
export function createNotFoundHandler(app: Pick<Hono, 'routes'>): NotFoundHandler {
  let methodsOf: TrieRouter<readonly string[]> | undefined;
  const allowed = (path: string): string[] => {
    methodsOf ??= methodsByPath(app.routes);
    const methods = new Set<string>();
    for (const [list] of methodsOf.match('ALL', path)[0]) for (const m of list) methods.add(m);
    return [...methods];
  };
  return (c) => {
    const methods = allowed(c.req.path);
    if (methods.length === 0 || methods.includes(c.req.method)) {
      return errorResponse(c, 'NOT_FOUND', `No route for ${c.req.method} ${c.req.path}.`);
    }
    c.header('Allow', methods.join(', '));
    return errorResponse(
      c,
      'NOT_FOUND',
      `${c.req.method} is not supported on ${c.req.path}; use ${methods.join(', ')}.`,
    );
  };
}

/** Each route path with the methods registered on it (GET brings HEAD); middleware left out. */
function methodsByPath(routes: Hono['routes']): TrieRouter<readonly string[]> {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.method === 'ALL' || route.method === 'HEAD') continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    byPath.set(route.path, methods);
  }
  const router = new TrieRouter<readonly string[]>();
  for (const [path, methods] of byPath) router.add('ALL', path, [...methods]);
  return router;
}
