/** @module Baseline: a bare Express 5 route serving the same JSON. */
import express from 'express';
import { BODY, PORT } from './json-body.js';

const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/api/users/:userId/profile', (_req, res) => {
  res.json(BODY);
});
app.listen(PORT, '127.0.0.1');
