/**
 * @module Response headers that harden the API in browsers: `hono/secure-headers`
 * on every answer (plus a `default-src 'none'` CSP on JSON answers), and CORS
 * for the configured origins only.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';

/** The CSP of every JSON answer: it is data, never a document to render or frame. */
export const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * hono/secure-headers with its defaults (HSTS, `nosniff`, `no-referrer`,
 * same-origin CORP/COOP, …), `X-Frame-Options: DENY`, and a strict CSP on
 * JSON answers. Headers a handler set itself win (a documentation page may
 * carry its own CSP).
 */
export function secureResponseHeaders(): MiddlewareHandler {
  const defaults = secureHeaders({ xFrameOptions: 'DENY', overwrite: false });
  return async (c, next) => {
    await defaults(c, async () => {
      await next();
      const type = c.res.headers.get('content-type') ?? '';
      if (type.startsWith('application/json') && !c.res.headers.has('content-security-policy')) {
        c.res.headers.set('Content-Security-Policy', JSON_CONTENT_SECURITY_POLICY);
      }
    });
  };
}

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
    const origin = c.req.header('origin');
    if (origin === undefined || !allowed.has(origin)) {
      await next();
      // The answer depends on Origin: caches must not serve it to an allowed one.
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    return handler(c, next);
  };
}
