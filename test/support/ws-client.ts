/**
 * @module A real `ws` client for end-to-end tests: connects with a token,
 * records every frame it receives, and waits for frames with bounded
 * `waitFor(predicate)` calls (never sleeps). Each frame is handed out by
 * `waitFor` at most once, so consecutive steps never match an old frame.
 * Also: registering users over HTTP, reading a refused upgrade's answer, and
 * `useWsTestServer()`, the server and socket bookkeeping of a test file.
 *
 * Every frame the server sends is checked against the documented server
 * frames (`SERVER_FRAME_SCHEMAS`, which `/openapi.json`, `/asyncapi.json` and
 * docs/API.md describe): a frame they do not describe fails the next
 * `waitFor`, so the documents cannot drift from what the server sends.
 */
import * as v from 'valibot';
import { afterAll, beforeAll } from 'vitest';
import WebSocket, { type ClientOptions, type RawData } from 'ws';
import { LOGGED_FRAME_TYPES, SERVER_FRAME_SCHEMAS } from '../../adapters/wire/frame-schemas.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { callJson, startTestServer } from './start-test-server.js';

/** A frame as received: `payload` is read as loosely as a client would. */
export interface Frame {
  readonly type: string;
  /** On logged events only (`LOGGED_FRAME_TYPES`). */
  readonly seq?: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read payloads as loosely as a client would.
  readonly payload: any;
}

export type FramePredicate = (frame: Frame) => boolean;

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export const DEFAULT_WAIT_MS = 3_000;

/** Why `frame` is not a server frame as documented, or null when it is one. */
export function undocumentedFrame(frame: unknown): string | null {
  if (typeof frame !== 'object' || frame === null) return 'not a JSON object';
  const { type, payload, seq } = frame as { type?: unknown; payload?: unknown; seq?: unknown };
  if (typeof type !== 'string' || !Object.hasOwn(SERVER_FRAME_SCHEMAS, type)) {
    return `type ${JSON.stringify(type)} is not a documented server frame`;
  }
  const logged = (LOGGED_FRAME_TYPES as readonly string[]).includes(type);
  if (logged !== (seq !== undefined)) {
    return logged ? `${type} carries no seq` : `${type} carries a seq but is not logged`;
  }
  if (logged && !(Number.isSafeInteger(seq) && (seq as number) >= 1)) {
    return `seq ${JSON.stringify(seq)} is not a whole number ≥ 1`;
  }
  const result = v.safeParse(
    SERVER_FRAME_SCHEMAS[type as keyof typeof SERVER_FRAME_SCHEMAS],
    payload,
  );
  if (result.success) return null;
  return result.issues
    .map((issue) => `payload.${v.getDotPath(issue) ?? ''}: ${issue.message}`)
    .join('; ');
}

/** A frame of `type` whose payload holds at least the fields of `fields` (deep, like toMatchObject). */
export function frameOf(type: string, fields: Record<string, unknown> = {}): FramePredicate {
  return (frame) => frame.type === type && contains(frame.payload, fields);
}

function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected);
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(expected).every(([key, value]) =>
    contains((actual as Record<string, unknown>)[key], value),
  );
}

export interface WsClient {
  readonly socket: WebSocket;
  readonly userId: string;
  /** The `connectionId` of this connection's `ready` frame. */
  readonly connectionId: string;
  /** Every frame received, in order (including `ready`). */
  readonly frames: readonly Frame[];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;
  /** Sends `{ type, payload }` as a JSON text frame. */
  send(type: string, payload: unknown): void;
  /** Sends anything as is (garbage, binary). */
  sendRaw(data: string | Buffer, options?: { binary?: boolean }): void;
  /** The first frame not handed out yet that matches, waiting up to `timeoutMs` for it. */
  waitFor(predicate: FramePredicate, timeoutMs?: number): Promise<Frame>;
  /**
   * Resolves once the server has handled every frame sent before it: sends a
   * frame of an unknown type and waits for its `UNKNOWN_EVENT` answer (the
   * server handles one connection's frames in order).
   */
  roundTrip(timeoutMs?: number): Promise<void>;
  /** Fails if a frame not handed out yet matches, now or within `ms`. */
  expectNoFrame(predicate: FramePredicate, ms?: number): Promise<void>;
  /** Waits up to `timeoutMs` for the socket to close. */
  waitForClose(timeoutMs?: number): Promise<CloseInfo>;
  /** Closes (1000) and waits for the close to complete. */
  close(): Promise<CloseInfo>;
}

export interface ConnectOptions {
  /** `/` (default) or `/ws`. */
  readonly path?: string;
  /** Options of the `ws` client (e.g. `autoPong: false`). */
  readonly ws?: ClientOptions;
}

/** The `ws://` URL of `path` on the server at `baseUrl` (`http://…`), with `?token=` when given. */
export function wsUrl(baseUrl: string, path = '/', token?: string): string {
  const url = new URL(path, baseUrl);
  url.protocol = 'ws:';
  if (token !== undefined) url.searchParams.set('token', token);
  return url.toString();
}

/** Connects with `token` and resolves once the `ready` frame has arrived. */
export async function connectWs(
  baseUrl: string,
  token: string,
  options: ConnectOptions = {},
): Promise<WsClient> {
  const socket = new WebSocket(wsUrl(baseUrl, options.path ?? '/', token), options.ws);
  const frames: Frame[] = [];
  /** Frames that are not as documented (see the module's comment). */
  const undocumented: string[] = [];
  const handedOut = new Set<number>();
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  let closeInfo: CloseInfo | undefined;
  const closed = new Promise<CloseInfo>((resolve) => {
    socket.on('close', (code, reason) => {
      closeInfo = { code, reason: reason.toString() };
      resolve(closeInfo);
      wake();
    });
  });
  socket.on('error', () => {
    // Reported through 'close' (and the failed open below).
  });
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const text = isBinary ? '' : rawToString(data);
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      frame = { type: '(not json)', payload: text };
    }
    const problem = undocumentedFrame(frame);
    if (problem !== null) {
      undocumented.push(
        `${problem} in ${JSON.stringify(frame).slice(0, 300)} — add it to SERVER_FRAME_SCHEMAS (adapters/ws/protocol-doc.ts) and docs/API.md`,
      );
    }
    frames.push(frame);
    wake();
  });

  const take = (predicate: FramePredicate): Frame | undefined => {
    const index = frames.findIndex((frame, i) => !handedOut.has(i) && predicate(frame));
    if (index === -1) return undefined;
    handedOut.add(index);
    return frames[index];
  };

  const describeFrames = () =>
    frames.map((f, i) => `${handedOut.has(i) ? ' ' : '*'} ${JSON.stringify(f)}`.slice(0, 300));

  const waitFor = (predicate: FramePredicate, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (undocumented.length > 0) {
          finish();
          reject(new Error(`The server sent an undocumented frame: ${undocumented[0]}`));
          return true;
        }
        const frame = take(predicate);
        if (frame === undefined) return false;
        finish();
        resolve(frame);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `No matching frame within ${timeoutMs} ms${closeInfo ? ` (closed ${closeInfo.code})` : ''}; received (* = not handed out):\n${describeFrames().join('\n')}`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const waiter = () => {
        check();
      };
      if (!check()) waiters.add(waiter);
    });

  const waitForClose = async (timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`The socket did not close within ${timeoutMs} ms.`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate();
      reject(new Error(`Upgrade refused with ${response.statusCode}`));
    });
    socket.once('error', reject);
  });
  await opened;

  let roundTrips = 0;
  const client: WsClient = {
    socket,
    userId: '',
    connectionId: '',
    frames,
    closed,
    send(type, payload) {
      socket.send(JSON.stringify({ type, payload }));
    },
    sendRaw(data, sendOptions = {}) {
      socket.send(data, { binary: sendOptions.binary ?? typeof data !== 'string' });
    },
    waitFor,
    async roundTrip(timeoutMs) {
      roundTrips += 1;
      const type = `round-trip-${roundTrips}`;
      socket.send(JSON.stringify({ type, payload: {} }));
      await waitFor(frameOf('error', { code: 'UNKNOWN_EVENT', type }), timeoutMs);
    },
    async expectNoFrame(predicate, ms = 300) {
      const found = await waitFor(predicate, ms).then(
        (frame) => frame,
        () => undefined,
      );
      if (found !== undefined) {
        throw new Error(`Unexpected frame: ${JSON.stringify(found).slice(0, 500)}`);
      }
    },
    waitForClose,
    async close() {
      if (closeInfo === undefined) socket.close(1000);
      return waitForClose();
    },
  };
  const ready = await waitFor((frame) => frame.type === 'ready');
  return Object.assign(client, {
    userId: ready.payload.userId as string,
    connectionId: ready.payload.connectionId as string,
  });
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** What the server answered an upgrade it refused. */
export interface RefusedUpgrade {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies as loosely as a client would.
  readonly body: any;
}

/** Tries an upgrade that should be refused; resolves with the HTTP answer, rejects if it opens. */
export function refusedUpgrade(url: string): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('error', reject);
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('The upgrade was accepted.'));
    });
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: text === '' ? null : JSON.parse(text),
        });
      });
      response.on('error', reject);
    });
  });
}

/** A registered user: what `POST /api/auth/register` answered. */
export interface TestUser {
  readonly userId: string;
  readonly token: string;
  /** The device session of `token`. */
  readonly sessionId: string;
  readonly displayName: string;
}

let phoneCounter = 0;

/** Registers a user with a fresh phone number. */
export async function registerUser(baseUrl: string, displayName: string): Promise<TestUser> {
  phoneCounter += 1;
  const suffix =
    String(process.pid % 1000).padStart(3, '0') + String(phoneCounter).padStart(4, '0');
  const response = await callJson(baseUrl, 'POST', '/api/auth/register', {
    body: { phoneNumber: `+1202${suffix}`, displayName, password: 'correct horse battery' },
  });
  if (response.status !== 201) {
    throw new Error(`register ${displayName}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return {
    userId: response.body.userId,
    token: response.body.token,
    sessionId: response.body.sessionId,
    displayName,
  };
}

/** A server to connect to: one a test started, or the file's (`useWsTestServer().server`). */
export interface ServerAddress {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

export interface TestConnectOptions extends ConnectOptions {
  /** The server to connect to; the file's server unless given. */
  readonly on?: ServerAddress;
}

/** What `useWsTestServer` hands a test file. */
export interface WsTestServer {
  /** The file's server; its `url` can be read once the file's `beforeAll` hooks run. */
  readonly server: ServerAddress;
  /** Starts another server (`startTestServer` arguments), closed after the file's tests. */
  start(...args: Parameters<typeof startTestServer>): Promise<RunningServer>;
  /** Connects as `user`; the socket is closed after the file's tests. */
  connect(user: TestUser, options?: TestConnectOptions): Promise<WsClient>;
}

/**
 * Starts a server (`startTestServer(...args)`) before the file's tests; after
 * them closes every socket opened through `connect`, then every server.
 * Call it at the top level of the test file.
 */
export function useWsTestServer(...args: Parameters<typeof startTestServer>): WsTestServer {
  let main: RunningServer | undefined;
  const servers: RunningServer[] = [];
  const clients: WsClient[] = [];

  const start = async (...startArgs: Parameters<typeof startTestServer>) => {
    const started = await startTestServer(...startArgs);
    servers.push(started);
    return started;
  };

  beforeAll(async () => {
    main = await start(...args);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((running) => running.close()));
  });

  const server: ServerAddress = {
    get url() {
      if (main === undefined) throw new Error('The test server starts in beforeAll.');
      return main.url;
    },
  };

  return {
    server,
    start,
    async connect(user, { on = server, ...options } = {}) {
      const client = await connectWs(on.url, user.token, options);
      clients.push(client);
      return client;
    },
  };
}
