/**
 * @module Baseline: a bare `ws` relay (ws-relay-core.ts) on a bare
 * `node:http` server that answers `/healthz`. Also the "bare ws server" of the
 * memory scenario (idle sockets in its Map).
 */
import { createServer } from 'node:http';
import { PORT } from './json-body.js';
import { attachRelay } from './ws-relay-core.js';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  res.writeHead(404).end();
});
attachRelay(server);
server.listen(PORT, '127.0.0.1');
