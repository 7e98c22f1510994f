/** @module Baseline: a bare Hono route on @hono/node-server serving the same JSON (no auth, no store). */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { BODY, PORT } from './json-body.js';

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/api/users/:userId/profile', (c) => c.json(BODY as object));
serve({ fetch: app.fetch, port: PORT, hostname: '127.0.0.1' });
