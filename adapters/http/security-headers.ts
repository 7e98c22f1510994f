/**
 * @module Response headers that harden the API in browsers: those of
 * `hono/secure-headers` with its defaults on every answer (plus a
 * `default-src 'none'` CSP on every answer that brings no CSP of its own),
 * and CORS for the configured origins only. The fixed headers are computed
 * once and set before the handler runs (node-bindings.ts says why), so that
 * a plain JSON answer stays on `@hono/node-server`'s fast path.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import {
  type HeaderBlock,
  headerBlock,
  presetResponseHeader,
  requestHeader,
} from './node-bindings.js';

/** The CSP of every JSON answer: it is data, never a document to render or frame. */
export const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * What `secureHeaders({ xFrameOptions: 'DENY' })` of `hono/secure-headers`
 * sets (its defaults: HSTS, `nosniff`, `no-referrer`, same-origin CORP/COOP,
 * …), and our CSP. The middleware itself is not used: it sets them on the
 * built answer, after the handler, which forces the slow path. A test checks
 * this list against the middleware's output.
 */
export const SECURE_RESPONSE_HEADERS: readonly (readonly [name: string, value: string])[] = [
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
  ['Content-Security-Policy', JSON_CONTENT_SECURITY_POLICY],
];

/**
 * `SECURE_RESPONSE_HEADERS`, validated once, for `presetHeaderBlock` before
 * the handler runs. Headers a handler sets itself win (the documentation
 * page carries its own CSP).
 */
export const SECURE_HEADER_BLOCK: HeaderBlock = headerBlock(SECURE_RESPONSE_HEADERS);

/** Request headers a browser client may send cross-origin. */
export const CORS_ALLOWED_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-Auth-Token',
  'X-Connection-Id',
  'X-Request-Id',
] as const;

/** Response headers a cross-origin browser client may read. */
export const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Request-Id', 'WWW-Authenticate'] as const;

/**
 * CORS for exactly `origins` (`https://app.example.org`, compared as sent in
 * `Origin`). A request from any other origin, or without one, gets no CORS
 * header at all; a preflight from one is not answered as a preflight. With no
 * origins the middleware does nothing. No credentials mode: tokens travel in
 * headers, never in cookies.
 */
export function corsForOrigins(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: 600,
  });
  return async (c, next) => {
    if (allowed.size === 0) return next();
    const origin = requestHeader(c, 'origin');
    if (origin === undefined || !allowed.has(origin)) {
      // The answer depends on Origin: caches must not serve it to an allowed one.
      presetResponseHeader(c, 'Vary', 'Origin');
      return next();
    }
    return handler(c, next);
  };
}
