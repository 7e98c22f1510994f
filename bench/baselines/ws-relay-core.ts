/**
 * @module The bare `ws` relay on a given HTTP server: a client connects with
 * `?id=<userId>` and gets `{"type":"ready"}`; every frame it sends is parsed,
 * its `payload.to` looked up in a Map of sockets, and relayed to each of that
 * user's sockets with `from` added, or, for a user with no socket here, to
 * the backplane when there is one. Served alone by ws-relay.ts, and beside
 * the bare login by login-floor.ts.
 */
import type { Server } from 'node:http';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

/** How frames reach users with no socket in this process (ws-relay.ts with REDIS_URL). */
export interface RelayBackplane {
  /** A user's first socket here: start receiving what other processes send them. */
  joined(id: string): void;
  /** A user's last socket here closed. */
  left(id: string): void;
  /** A frame for a user with no socket here. */
  forward(to: string, out: string): void;
}

/** Delivers a frame from elsewhere to `to`'s sockets here. */
export type Deliver = (to: string, out: string) => void;

export function attachRelay(server: Server, backplane?: RelayBackplane): Deliver {
  const sockets = new Map<string, Set<WebSocket>>();
  const deliver: Deliver = (to, out) => {
    const targets = sockets.get(to);
    if (!targets) return;
    for (const target of targets) if (target.readyState === WebSocket.OPEN) target.send(out);
  };
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url ?? '/', 'http://localhost').searchParams.get('id') ?? '';
    let mine = sockets.get(id);
    if (!mine) {
      mine = new Set<WebSocket>();
      sockets.set(id, mine);
      backplane?.joined(id);
    }
    mine.add(ws);
    ws.send('{"type":"ready","payload":{}}');
    ws.on('message', (data: RawData) => {
      let frame: { type: string; payload: Record<string, unknown> };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      const to = String(frame.payload?.to);
      const here = sockets.has(to);
      if (!here && !backplane) return;
      const out = JSON.stringify({ type: frame.type, payload: { ...frame.payload, from: id } });
      if (here) deliver(to, out);
      else backplane?.forward(to, out);
    });
    ws.on('close', () => {
      mine.delete(ws);
      if (mine.size === 0) {
        sockets.delete(id);
        backplane?.left(id);
      }
    });
    ws.on('error', () => {});
  });
  return deliver;
}
