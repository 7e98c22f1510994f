/**
 * @module Information baseline: the bare Hono route, plus the answer headers
 * the product sends (a request id, its security headers, `Cache-Control:
 * no-store`), set the way a Hono app sets them (`c.header`). It shows what
 * those headers alone cost a Hono server; no token, no store.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { SECURE_RESPONSE_HEADERS } from '../../adapters/http/security-headers.js';
import { BODY, PORT } from './json-body.js';

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/api/users/:userId/profile', (c) => {
  c.header('X-Request-Id', crypto.randomUUID());
  for (const [name, value] of SECURE_RESPONSE_HEADERS) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  return c.json(BODY as object);
});
serve({ fetch: app.fetch, port: PORT, hostname: '127.0.0.1' });
