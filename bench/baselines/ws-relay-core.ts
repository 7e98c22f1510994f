/**
 * @module The bare `ws` relay on a given HTTP server: a client connects with
 * `?id=<userId>` and gets `{"type":"ready"}`; every frame it sends is parsed,
 * its `payload.to` looked up in a Map of sockets, and relayed to each of that
 * user's sockets with `from` added. Served alone by ws-relay.ts, and beside
 * the bare login by login-floor.ts.
 */
import type { Server } from 'node:http';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

export function attachRelay(server: Server): void {
  const sockets = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url ?? '/', 'http://localhost').searchParams.get('id') ?? '';
    const mine = sockets.get(id) ?? new Set<WebSocket>();
    sockets.set(id, mine);
    mine.add(ws);
    ws.send('{"type":"ready","payload":{}}');
    ws.on('message', (data: RawData) => {
      let frame: { type: string; payload: Record<string, unknown> };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      const targets = sockets.get(String(frame.payload?.to));
      if (!targets) return;
      const out = JSON.stringify({ type: frame.type, payload: { ...frame.payload, from: id } });
      for (const target of targets) if (target.readyState === WebSocket.OPEN) target.send(out);
    });
    ws.on('close', () => {
      mine.delete(ws);
      if (mine.size === 0) sockets.delete(id);
    });
    ws.on('error', () => {});
  });
}
