/**
 * @module Baseline: a bare `ws` relay (ws-relay-core.ts) on a bare
 * `node:http` server that answers `/healthz`. Also the "bare ws server" of the
 * memory scenario (idle sockets in its Map).
 *
 * With `REDIS_URL`, processes relay to each other as the product's backplane
 * does at its least: a process SUBSCRIBEs to `u:<id>` while it holds a socket
 * of user `id`, PUBLISHes a frame for a user with no socket here on that
 * user's channel, and hands what arrives on a channel to the user's sockets.
 * No call state, no envelope, no origin check: the floor of the cross
 * scenario's delta.
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { PORT } from './json-body.js';
import { attachRelay, type RelayBackplane } from './ws-relay-core.js';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  res.writeHead(404).end();
});

const redisUrl = process.env.REDIS_URL;
let backplane: RelayBackplane | undefined;
let subscriber: Redis | undefined;
if (redisUrl) {
  const client = new Redis(redisUrl);
  subscriber = new Redis(redisUrl);
  const channel = (id: string) => `u:${id}`;
  backplane = {
    joined: (id) => void subscriber!.subscribe(channel(id)),
    left: (id) => void subscriber!.unsubscribe(channel(id)),
    forward: (to, out) => void client.publish(channel(to), out),
  };
}
const deliver = attachRelay(server, backplane);
subscriber?.on('message', (channel: string, message: string) => deliver(channel.slice(2), message));
server.listen(PORT, '127.0.0.1');
