/**
 * @module Baseline for the login row's accounting: the least a login over
 * HTTP does, with no framework. `POST /api/auth/login` reads the JSON body,
 * looks the phone number up in a `Map`, verifies the password, signs an
 * HS256 token with node:crypto, stores a session in a `Map` and answers JSON.
 * Two servers in this one process (pinned like the product): `libuv` verifies
 * with @node-rs/argon2's async `verify` on libuv's pool at normal priority,
 * `isolated` with the product's hasher (low-priority piscina threads).
 * `isolated` also carries the bare `ws` relay (ws-relay-core.ts), so the
 * relay-during-logins row has a floor: what a login flood does to a relay in
 * one process that hashes the way the product does. A third, `timer`, waits
 * `hashMs` on a timer in place of the hash (beside
 * product-timer-hasher.ts, the product with the same timer). Set up over RPC
 * (`start`), then measured with the load worker's `loginLoop` and
 * `relayLatency`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash, verify } from '@node-rs/argon2';
import {
  ARGON2_OPTIONS,
  type Argon2PasswordHasher,
  createArgon2PasswordHasher,
} from '../../adapters/crypto/argon2-password-hasher.js';
import { serveRpc } from '../lib/proc.js';
import { attachRelay } from './ws-relay-core.js';

const KEY = 'login-floor-secret-that-is-long-enough-0123456789';
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

interface User {
  readonly id: string;
  readonly phoneNumber: string;
  readonly passwordHash: string;
}

function loginServer(
  users: ReadonlyMap<string, User>,
  check: (hashed: string, password: string) => Promise<boolean>,
): Server {
  const sessions = new Map<string, { userId: string; expiresAt: number }>();
  return createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/auth/login') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const user = users.get(String(body.phoneNumber));
      if (!user || !(await check(user.passwordHash, String(body.password)))) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"INVALID"}');
        return;
      }
      const sessionId = randomUUID();
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const claims = Buffer.from(JSON.stringify({ sub: user.id, sid: sessionId, exp })).toString(
        'base64url',
      );
      const signed = `${HEADER}.${claims}`;
      const token = `${signed}.${createHmac('sha256', KEY).update(signed).digest('base64url')}`;
      sessions.set(sessionId, { userId: user.id, expiresAt: exp });
      const json = JSON.stringify({
        token,
        expiresAt: new Date(exp * 1000).toISOString(),
        sessionId,
        user: { id: user.id, phoneNumber: user.phoneNumber },
      });
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
        })
        .end(json);
    });
  });
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

let running: { servers: Server[]; hasher: Argon2PasswordHasher } | undefined;

serveRpc({
  async start(params: { phoneNumber: string; password: string; hashMs: number }) {
    const users = new Map<string, User>([
      [
        params.phoneNumber,
        {
          id: randomUUID(),
          phoneNumber: params.phoneNumber,
          passwordHash: await hash(params.password, ARGON2_OPTIONS),
        },
      ],
    ]);
    const hasher = await createArgon2PasswordHasher();
    const servers = [
      loginServer(users, (hashed, password) => verify(hashed, password, ARGON2_OPTIONS)),
      loginServer(users, (hashed, password) => hasher.verify(hashed, password)),
      loginServer(
        users,
        (_hashed, password) =>
          new Promise((resolve) =>
            setTimeout(() => resolve(password === params.password), params.hashMs),
          ),
      ),
    ];
    attachRelay(servers[1]!);
    running = { servers, hasher };
    const [libuv, isolated, timer] = await Promise.all(servers.map(listen));
    return { libuv, isolated, timer };
  },
  async stop() {
    if (!running) return;
    for (const server of running.servers) server.close();
    await running.hasher.close();
  },
});
