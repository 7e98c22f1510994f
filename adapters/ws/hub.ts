/**
 * @module The WebSocket hub (API.md §7) on `@hono/node-ws`: admits upgrades on
 * `/` and `/ws` with `?token=`, keeps one connection object per socket, turns
 * the notifier's pushes into frames, hands client frames to the handler
 * registry in arrival order, and enforces the socket limits: 64 KiB frames
 * (1009), the frame budget (`RATE_LIMITED`, then 1008), ping/pong liveness,
 * 1 MiB of unsent data (1013) and token expiry (4401).
 *
 * Admission happens before `@hono/node-ws` sees the upgrade, because its
 * refusal writes only a status line: a bad token gets a real `401` with the
 * contract's JSON error body here, and only admitted upgrades are passed on.
 * Nothing here logs a URL: the token travels in the query string.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import type { WSContext, WSEvents } from 'hono/ws';
import type { WebSocket } from 'ws';
import {
  authenticate,
  connectionClosed,
  connectionOpened,
  type Deps,
  DomainError,
  isDomainError,
  presenceConnectionClosed,
  type User,
  type UserId,
} from '../../core/index.js';
import type { AppEnv } from '../http/env.js';
import { type ErrorBody, STATUS_BY_CODE } from '../http/error-handler.js';
import type { NotificationListener } from '../memory/notifier.js';
import { createFrameBudget, type FrameBudget, type FrameBudgetOptions } from './frame-budget.js';
import { createFrameHandlers, type FrameContext, type FrameHandler } from './handlers.js';
import {
  errorFrame,
  FrameError,
  notificationFrame,
  parseEnvelope,
  readyFrame,
  type ServerFrame,
} from './protocol.js';

/** The paths a client connects to (API.md §7). */
export const WS_PATHS = ['/', '/ws'] as const;

/** Close codes the hub uses. */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  tokenExpired: 4401,
} as const;

export interface WsHubOptions {
  /** Largest frame a client may send, in bytes; bigger closes with 1009. Default 64 KiB. */
  readonly maxFrameBytes?: number;
  /** Unsent bytes a connection may pile up before it is closed with 1013. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /** How often the server pings. Default 30 s. */
  readonly pingIntervalMs?: number;
  /** How long a ping may go unanswered before the connection is dropped. Default 30 s. */
  readonly pongTimeoutMs?: number;
  /** The per-connection frame budget; `false` turns it off (`RATE_LIMITS=off`). */
  readonly frameBudget?: FrameBudgetOptions | false;
  /** On shutdown, how long closing handshakes may take before sockets are cut. Default 2 s. */
  readonly closeGraceMs?: number;
}

/** Where live connections register for pushes; the in-process notifier is one. */
export interface ConnectionRegistry {
  subscribe(userId: UserId, connectionId: string, listener: NotificationListener): () => void;
  /**
   * A clustered registry (adapters/redis/notifier.ts) starts listening for
   * `userId`'s pushes from other instances and resolves once it does; the hub
   * sends `ready` after that, then calls the returned function.
   */
  listen?(userId: UserId): Promise<() => void>;
}

/** Receives unexpected errors; structurally the server's `Logger`. */
export interface HubLogger {
  error(message: string, error?: unknown): void;
}

export interface WsHubInit extends WsHubOptions {
  /** The HTTP app; the hub adds its upgrade routes to it. */
  readonly app: Hono<AppEnv>;
  readonly deps: Deps;
  /** Where each connection subscribes to its user's pushes (the composition's notifier). */
  readonly connections: ConnectionRegistry;
  readonly logger?: HubLogger;
}

/** Whatever emits the HTTP server's `upgrade` event (the server `serve()` returns). */
export interface UpgradeSource {
  on(
    event: 'upgrade',
    listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ): unknown;
}

export interface WsHub {
  /** Starts taking upgrades from `server`. Call once, after `serve()`. */
  injectWebSocket(server: UpgradeSource): void;
  /** Connections open right now. */
  readonly size: number;
  /**
   * Closes every connection with 1001 and waits for each one's cleanup
   * (presence, calls); refuses new upgrades from now on. Idempotent.
   */
  close(): Promise<void>;
}

interface Session {
  readonly user: User;
  readonly expiresAt: Date;
}

const OPEN = 1;
/** setTimeout's largest delay; longer token lifetimes are waited out in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULTS = {
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 30_000,
  closeGraceMs: 2_000,
};

/** Creates the hub and adds its upgrade routes (`/`, `/ws`) to `init.app`. */
export function createWsHub(init: WsHubInit): WsHub {
  const { app, deps, connections: registry } = init;
  const settings = {
    maxFrameBytes: init.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxBufferedBytes: init.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    pingIntervalMs: init.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
    pongTimeoutMs: init.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
    closeGraceMs: init.closeGraceMs ?? DEFAULTS.closeGraceMs,
  };
  const logger: HubLogger = init.logger ?? { error: (m, e) => console.error(m, e) };
  const handlers = createFrameHandlers();
  const nodeWs = createNodeWebSocket({ app });
  // `ws` checks the size of every incoming message (all fragments) and closes with 1009.
  nodeWs.wss.options.maxPayload = settings.maxFrameBytes;

  /** Sessions of admitted upgrades, from the admission check to the route. */
  const admitted = new WeakMap<IncomingMessage, Session>();
  const live = new Set<Connection>();
  const cleanups = new Set<Promise<void>>();
  let shuttingDown = false;

  interface Connection {
    shut(code: number, reason: string): void;
    terminate(): void;
    readonly closed: Promise<void>;
  }

  function connect(session: Session): WSEvents<WebSocket> {
    const userId = session.user.id;
    const connectionId = randomUUID();
    const budget: FrameBudget | null =
      init.frameBudget === false ? null : createFrameBudget(init.frameBudget);
    let socket: WSContext<WebSocket> | undefined;
    let raw: WebSocket | undefined;
    let opened = false;
    let closing = false;
    let unsubscribe: (() => void) | undefined;
    let chain: Promise<void> = Promise.resolve();
    const timers: {
      ping?: NodeJS.Timeout;
      pong?: NodeJS.Timeout;
      expiry?: NodeJS.Timeout;
    } = {};
    let markClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });

    const clearTimers = () => {
      clearInterval(timers.ping);
      clearTimeout(timers.pong);
      clearTimeout(timers.expiry);
    };

    const send = (frame: ServerFrame) => {
      if (closing || socket === undefined || socket.readyState !== OPEN) return;
      socket.send(JSON.stringify(frame));
      if ((raw?.bufferedAmount ?? 0) > settings.maxBufferedBytes) {
        shut(CLOSE_CODES.tryAgainLater, 'Too much unread data: the client stopped reading.');
      }
    };

    const shut = (code: number, reason: string) => {
      if (closing) return;
      closing = true;
      clearTimers();
      socket?.close(code, reason);
    };

    const terminate = () => {
      closing = true;
      clearTimers();
      raw?.terminate();
    };

    /** Runs `task` after everything this connection queued before it. */
    const enqueue = (task: () => Promise<void>): Promise<void> => {
      chain = chain.then(task).catch((error: unknown) => {
        logger.error(`WebSocket task failed for connection ${connectionId}`, error);
      });
      return chain;
    };

    const context: FrameContext = { deps, userId, connectionId, send };
    const refuse = (error: DomainError, type?: string) => send(errorFrame(error, type));

    const handleFrame = async (data: unknown) => {
      let type: string | undefined;
      try {
        if (typeof data !== 'string') {
          throw new FrameError(
            'INVALID_JSON',
            'Frames must be JSON text frames; binary frames are not accepted.',
          );
        }
        const envelope = parseEnvelope(data);
        type = envelope.type;
        const handler: FrameHandler | undefined = handlers.get(envelope.type);
        if (handler === undefined) {
          throw new FrameError('UNKNOWN_EVENT', `Unknown event type "${envelope.type}".`);
        }
        await handler(context, envelope.payload);
      } catch (error) {
        if (isDomainError(error)) {
          refuse(error, type);
          return;
        }
        logger.error(`WebSocket frame ${type ?? '(unparsed)'} failed on ${connectionId}`, error);
        refuse(new DomainError('INTERNAL', 'Something went wrong on our side.'), type);
      }
    };

    const armExpiry = () => {
      const remaining = session.expiresAt.getTime() - deps.clock.now().getTime();
      if (remaining <= 0) {
        shut(CLOSE_CODES.tokenExpired, 'The token has expired.');
        return;
      }
      timers.expiry = setTimeout(armExpiry, Math.min(remaining, MAX_TIMER_MS));
      timers.expiry.unref();
    };

    const ping = () => {
      if (closing || raw === undefined) return;
      raw.ping();
      if (timers.pong === undefined) {
        timers.pong = setTimeout(terminate, settings.pongTimeoutMs);
        timers.pong.unref();
      }
    };

    const connection: Connection = { shut, terminate, closed };

    return {
      onOpen(_event, ws) {
        socket = ws;
        raw = ws.raw;
        live.add(connection);
        if (shuttingDown) {
          shut(CLOSE_CODES.goingAway, 'The server is shutting down.');
          return;
        }
        opened = true;
        const greet = () => {
          send(readyFrame(userId, connectionId));
          unsubscribe = registry.subscribe(userId, connectionId, (notification) => {
            try {
              send(notificationFrame(notification));
            } catch (error) {
              logger.error(`WebSocket push failed on ${connectionId}`, error);
            }
          });
        };
        if (registry.listen === undefined) {
          greet();
        } else {
          // Many instances: `ready` only once pushes from other instances reach this one.
          void enqueue(async () => {
            const release = await registry.listen!(userId);
            try {
              if (!closing) greet();
            } finally {
              release();
            }
          });
        }
        raw?.on('pong', () => {
          clearTimeout(timers.pong);
          timers.pong = undefined;
        });
        timers.ping = setInterval(ping, settings.pingIntervalMs);
        timers.ping.unref();
        armExpiry();
        void enqueue(() => connectionOpened(deps, { userId, connectionId }));
      },

      onMessage(event) {
        if (closing) return;
        const verdict = budget?.take(performance.now()) ?? 'accept';
        if (verdict === 'close') {
          shut(CLOSE_CODES.policyViolation, 'Too many frames.');
          return;
        }
        if (verdict === 'refuse') {
          void enqueue(async () =>
            refuse(new DomainError('RATE_LIMITED', 'Too many frames; slow down.')),
          );
          return;
        }
        const { data } = event;
        void enqueue(() => handleFrame(data));
      },

      onClose() {
        closing = true;
        clearTimers();
        unsubscribe?.();
        live.delete(connection);
        markClosed();
        if (!opened) return;
        // Presence first: the call cleanup reads whether the user is still online.
        const cleanup = enqueue(async () => {
          try {
            await presenceConnectionClosed(deps, { userId, connectionId });
          } finally {
            await connectionClosed(deps, { userId, connectionId });
          }
        });
        cleanups.add(cleanup);
        void cleanup.finally(() => cleanups.delete(cleanup));
      },

      // Socket errors (an oversized or malformed frame, a reset) are the
      // client's; `ws` closes the connection and onClose cleans up.
      onError() {},
    };
  }

  const upgrade = nodeWs.upgradeWebSocket(
    (c) => {
      const request = incomingOf(c.env);
      const session = request === undefined ? undefined : admitted.get(request);
      if (request === undefined || session === undefined) {
        // Unreachable: the guard below lets only admitted upgrades through.
        throw new DomainError('UNAUTHENTICATED', 'The connection was not admitted.');
      }
      admitted.delete(request);
      return connect(session);
    },
    {
      onError(error) {
        // On a socket error @hono/node-ws builds an `ErrorEvent`, a global that
        // Node 20 lacks; the error is the client's and `ws` closes the socket.
        if (error instanceof ReferenceError && error.message.includes('ErrorEvent')) return;
        logger.error('WebSocket event handler failed', error);
      },
    },
  );
  for (const path of WS_PATHS) {
    app.get(
      path,
      async (c, next) => {
        const request = incomingOf(c.env);
        if (request === undefined || !admitted.has(request)) {
          throw new DomainError(
            'NOT_FOUND',
            `${c.req.path} takes WebSocket upgrades only: connect with ws://host${c.req.path}?token=<jwt>.`,
          );
        }
        await next();
      },
      upgrade,
    );
  }

  async function admit(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    relay: EventEmitter,
  ): Promise<void> {
    // Node removes its own listener on upgrade; a reset while we authenticate must not crash.
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!(WS_PATHS as readonly string[]).includes(url.pathname)) {
      // Any other path: the app answers (404), through @hono/node-ws.
      relay.emit('upgrade', request, socket, head);
      return;
    }
    try {
      const token = url.searchParams.get('token');
      if (token === null || token === '') {
        throw new DomainError('UNAUTHENTICATED', 'No token: connect with ?token=<jwt>.');
      }
      const session = await authenticate(deps, token);
      if (session.expiresAt.getTime() <= deps.clock.now().getTime()) {
        throw new DomainError('UNAUTHENTICATED', 'The token has expired.');
      }
      if (shuttingDown)
        throw new DomainError('SERVICE_UNAVAILABLE', 'The server is shutting down.');
      admitted.set(request, session);
    } catch (error) {
      refuseUpgrade(socket, error);
      return;
    }
    relay.emit('upgrade', request, socket, head);
  }

  function refuseUpgrade(socket: Duplex, error: unknown): void {
    // Like every HTTP error answer, a refused upgrade names a request id (SECURITY.md).
    const requestId = randomUUID();
    let known: DomainError;
    if (isDomainError(error)) {
      known = error;
    } else {
      logger.error(`[${requestId}] WebSocket upgrade failed`, error);
      known = new DomainError('INTERNAL', 'Something went wrong on our side.');
    }
    const status = STATUS_BY_CODE[known.code];
    const body: ErrorBody = { error: { code: known.code, message: known.message } };
    const json = JSON.stringify(body);
    const headers = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(json)}`,
      'Cache-Control: no-store',
      `X-Request-Id: ${requestId}`,
      ...(known.code === 'UNAUTHENTICATED' ? ['WWW-Authenticate: Bearer'] : []),
    ];
    if (socket.writable) socket.end(`${headers.join('\r\n')}\r\n\r\n${json}`);
    else socket.destroy();
  }

  return {
    injectWebSocket(server) {
      // @hono/node-ws listens on this relay instead of the server: it sees admitted upgrades only.
      const relay = new EventEmitter();
      nodeWs.injectWebSocket(relay as unknown as Server);
      server.on('upgrade', (request, socket, head) => {
        void admit(request, socket, head, relay).catch((error: unknown) => {
          logger.error('WebSocket upgrade failed', error);
          socket.destroy();
        });
      });
    },
    get size() {
      return live.size;
    },
    async close() {
      shuttingDown = true;
      const open = [...live];
      for (const connection of open) {
        connection.shut(CLOSE_CODES.goingAway, 'The server is shutting down.');
      }
      const allClosed = Promise.all(open.map((connection) => connection.closed));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, settings.closeGraceMs);
      });
      await Promise.race([allClosed, grace]);
      clearTimeout(timer);
      // Clients that do not answer the closing handshake in time are cut off.
      for (const connection of live) connection.terminate();
      await allClosed;
      await Promise.allSettled([...cleanups]);
    },
  };
}

function incomingOf(env: unknown): IncomingMessage | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return (env as { incoming?: IncomingMessage }).incoming;
}
