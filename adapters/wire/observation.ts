/**
 * @module What the transports report about the requests they answer: one
 * `RequestRecord` per HTTP request and per WebSocket upgrade (`GET / 101`),
 * read by the metrics and the access log. Routes are patterns, never raw
 * paths, so ids never become label values or log fields.
 */

/** What one answered request looked like. */
export interface RequestRecord {
  /** The `X-Request-Id` the answer carries. */
  readonly requestId: string;
  /** The method, or `OTHER` for a method no route uses. */
  readonly method: string;
  /** The matched route pattern, or `UNMATCHED_ROUTE` when no route took the request. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

/** How a `POST /api/auth/login` ended, from its status (API.md §2). */
export type LoginOutcome =
  | 'success'
  | 'invalid_credentials'
  | 'invalid_request'
  | 'rate_limited'
  | 'unavailable'
  | 'error';

export const LOGIN_OUTCOMES: readonly LoginOutcome[] = [
  'success',
  'invalid_credentials',
  'invalid_request',
  'rate_limited',
  'unavailable',
  'error',
];

/** A Prometheus text exposition, or any other format a scraper reads. */
export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

/** What the HTTP app records and serves at `/metrics`; the server gives it a per-instance registry. */
export interface HttpMetrics {
  /** A request has come in (the in-flight gauge). */
  requestStarted(): void;
  /** A request has been answered. */
  requestFinished(record: RequestRecord): void;
  loginAttempted(outcome: LoginOutcome): void;
  /** Everything recorded so far, for `GET /metrics`. */
  expose(): Promise<MetricsExposition>;
}

/** Receives one record per answered request (the server logs it). */
export type AccessLog = (record: RequestRecord) => void;

/** The route label of requests no route took (404s, wrong methods). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** The status of a login answer read as its outcome. */
export function loginOutcome(status: number): LoginOutcome {
  if (status >= 200 && status < 300) return 'success';
  switch (status) {
    case 401:
      return 'invalid_credentials';
    case 400:
    case 413:
    case 415:
      return 'invalid_request';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return 'error';
  }
}

/** The push services, as metrics label them (`unifiedpush` is sent as Web Push). */
export const PUSH_PROVIDERS = ['webpush', 'apns', 'fcm'] as const;
export type PushProviderName = (typeof PUSH_PROVIDERS)[number];

/**
 * How one push attempt ended: `sent`; `gone` (the provider says the
 * registration is dead: it is deleted); `retried` (429/5xx/network, tried
 * again later); `failed` (refused, or out of tries or time); `dropped` (the
 * queue was full).
 */
export const PUSH_OUTCOMES = ['sent', 'gone', 'retried', 'failed', 'dropped'] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

/** Told of every push attempt. */
export interface PushMetrics {
  pushed(provider: PushProviderName, outcome: PushOutcome): void;
}
