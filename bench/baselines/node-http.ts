/** @module Baseline: a bare node:http route serving the same JSON (stringified per request). */
import { createServer } from 'node:http';
import { BODY, PORT, PROFILE_PATH } from './json-body.js';

createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0]!;
  if (req.method === 'GET' && (PROFILE_PATH.test(path) || path === '/healthz')) {
    const json = JSON.stringify(path === '/healthz' ? { status: 'ok' } : BODY);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
    return;
  }
  res.writeHead(404).end();
}).listen(PORT, '127.0.0.1');
