/**
 * @module Information baseline for the `push` scenario: the least an HTTP
 * send that ends on another user's socket can do, on bare `node:http` and
 * `ws`. A client connects with `?token=<userId>` (the token is the user id:
 * nothing is verified) and gets `{"type":"ready"}`; `POST /api/chat/send`
 * with `Authorization: Bearer <userId>` and `{ receiverId, content }` reads
 * and parses the body, builds the message (id, sender, receiver, content,
 * timestamp), pushes `{"type":"new-message","payload":message}` to each of
 * the receiver's sockets and answers `201` with the message. No token check,
 * validation, store, event log or conversation: what separates the product's
 * send from a socket relay before any of its own work.
 */
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { PORT } from './json-body.js';

const sockets = new Map<string, Set<WebSocket>>();
let nextId = 0;

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (req.method !== 'POST' || req.url !== '/api/chat/send') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: { receiverId?: unknown; content?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const senderId = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const message = {
      _id: String(++nextId),
      senderId,
      receiverId: String(body.receiverId),
      content: String(body.content),
      messageType: 'text',
      timestamp: new Date().toISOString(),
    };
    const json = JSON.stringify(message);
    const frame = `{"type":"new-message","payload":${json}}`;
    for (const socket of sockets.get(message.receiverId) ?? []) {
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    }
    res.writeHead(201, { 'content-type': 'application/json' }).end(json);
  });
});

const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
  const mine = sockets.get(id) ?? new Set<WebSocket>();
  sockets.set(id, mine);
  mine.add(ws);
  ws.send('{"type":"ready","payload":{}}');
  ws.on('close', () => {
    mine.delete(ws);
    if (mine.size === 0) sockets.delete(id);
  });
  ws.on('error', () => {});
});
server.listen(PORT, '127.0.0.1');
