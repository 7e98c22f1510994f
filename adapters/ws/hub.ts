/**
 * @module The WebSocket hub (API.md §7) on a `ws` server of its own, put
 * together from its parts: admission of upgrades (admission.ts), one record
 * and job queue per socket (connection.ts), client frames to their handlers
 * (dispatch.ts, handlers.ts), the open and close steps hooked onto the core
 * (lifecycle.ts), and the closing of every socket (shutdown.ts).
 *
 * The socket limits: 64 KiB frames (1009, checked by `ws`), the frame budget
 * (`RATE_LIMITED`, then 1008), 1 MiB of unsent data (1013), and, kept here,
 * ping/pong liveness (one interval pinging every socket), token expiry (one
 * timer over a heap, expiry-queue.ts) and the end of the token's device
 * session (4401).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Deps, EndedSession } from '../../core/index.js';
import type { ConnectionRegistry } from '../wire/local-notifier.js';
import { createUpgradeHandler, type UpgradeObserver } from './admission.js';
import { type Connection, type ConnectionHost, type HubLogger, HubSocket } from './connection.js';
import { createFrameDispatch } from './dispatch.js';
import { ExpiryQueue } from './expiry-queue.js';
import { type FrameBudgetOptions, frameBudgetRule } from './frame-budget.js';
import { type CallLimits, createFrameHandlers, type FrameRateLimiter } from './handlers.js';
import { createLifecycle } from './lifecycle.js';
import { CLOSE_CODES } from './protocol.js';
import { closeConnections } from './shutdown.js';

export type { ConnectionRegistry } from '../wire/local-notifier.js';
export { parseTarget, type UpgradeObserver, WS_PATHS } from './admission.js';
export type { HubLogger } from './connection.js';
export { CLOSE_CODES } from './protocol.js';

export interface WsHubOptions {
  /** Largest frame a client may send, in bytes; bigger closes with 1009. Default 64 KiB. */
  readonly maxFrameBytes?: number;
  /**
   * Unsent bytes a connection may pile up before it is closed with 1013, not
   * counting relayed pushes. Default 1 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Unsent bytes relayed from one other user a connection holds; more are dropped. Default 256 KiB. */
  readonly maxRelayedBytesPerSender?: number;
  /** Unsent bytes relayed from all other users a connection holds; more are dropped. Default 512 KiB. */
  readonly maxRelayedBytes?: number;
  /** How often the server pings. Default 30 s. */
  readonly pingIntervalMs?: number;
  /** How long a ping may go unanswered before the connection is dropped. Default 30 s. */
  readonly pongTimeoutMs?: number;
  /** The per-connection frame budget; `false` turns it off (`RATE_LIMITS=off`). */
  readonly frameBudget?: FrameBudgetOptions | false;
  /** On shutdown, how long closing handshakes may take before sockets are cut. Default 2 s. */
  readonly closeGraceMs?: number;
}

/** Where ended device sessions are heard (on every instance: adapters/redis/session-events.ts). */
export interface EndedSessionsSource {
  onEnded(listener: (sessions: readonly EndedSession[]) => void): () => void;
}

export interface WsHubInit extends WsHubOptions {
  readonly deps: Deps;
  /** Sockets of sessions announced here are closed with 4401. */
  readonly sessionEvents?: EndedSessionsSource;
  /** Where each connection subscribes to its user's pushes (the composition's notifier). */
  readonly connections: ConnectionRegistry;
  readonly logger?: HubLogger;
  readonly upgrades?: UpgradeObserver;
  /** Limits on `call-user` per caller and per pair; none with `RATE_LIMITS=off`. */
  readonly callLimits?: CallLimits;
  /** The per-caller profile read budget `subscribe-presence` spends; none with `RATE_LIMITS=off`. */
  readonly profileReads?: FrameRateLimiter;
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
  attach(server: UpgradeSource): void;
  /** Connections open right now. */
  readonly size: number;
  /**
   * Closes every connection with 1001 and waits for each one's cleanup
   * (presence, calls); refuses new upgrades from now on. Idempotent.
   */
  close(): Promise<void>;
}

const DEFAULTS = {
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  maxRelayedBytesPerSender: 256 * 1024,
  maxRelayedBytes: 512 * 1024,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 30_000,
  closeGraceMs: 2_000,
};

/** Creates the hub; `attach` it to the HTTP server to start taking upgrades. */
export function createWsHub(init: WsHubInit): WsHub {
  const { deps } = init;
  const settings = {
    maxFrameBytes: init.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxBufferedBytes: init.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    maxRelayedBytesPerSender: init.maxRelayedBytesPerSender ?? DEFAULTS.maxRelayedBytesPerSender,
    maxRelayedBytes: init.maxRelayedBytes ?? DEFAULTS.maxRelayedBytes,
    pingIntervalMs: init.pingIntervalMs ?? DEFAULTS.pingIntervalMs,
    pongTimeoutMs: init.pongTimeoutMs ?? DEFAULTS.pongTimeoutMs,
    closeGraceMs: init.closeGraceMs ?? DEFAULTS.closeGraceMs,
  };
  const logger: HubLogger = init.logger ?? { error: (m, e) => console.error(m, e) };
  const handlers = createFrameHandlers(deps, {
    callLimits: init.callLimits,
    profileReads: init.profileReads,
  });

  const expiries = new ExpiryQueue<Connection>(
    () => deps.clock.now().getTime(),
    (connection) => connection.shut(CLOSE_CODES.tokenExpired, 'The token has expired.'),
  );
  const host: ConnectionHost = {
    limits: settings,
    logger,
    expiries,
    handleFrame: createFrameDispatch(handlers),
    requestFill: (connection) => lifecycle.requestFill(connection),
    replay: (connection, since) => lifecycle.replay(connection, since),
  };
  const lifecycle = createLifecycle({
    deps,
    registry: init.connections,
    host,
    budgetRule: init.frameBudget === false ? null : frameBudgetRule(init.frameBudget),
  });
  const { live } = lifecycle;

  const wss = new WebSocketServer<typeof HubSocket>({
    noServer: true,
    WebSocket: HubSocket,
    // `ws` checks the size of every incoming message (all fragments) and closes with 1009.
    maxPayload: settings.maxFrameBytes,
    perMessageDeflate: false,
    // The hub keeps its own set of connections.
    clientTracking: false,
  });
  let shuttingDown = false;
  const admit = createUpgradeHandler({
    deps,
    logger,
    upgrades: init.upgrades,
    wss,
    isShuttingDown: () => shuttingDown,
    open: lifecycle.open,
  });

  // An ended session's sockets close at once. A scan: sessions end rarely,
  // and an index would cost every idle socket memory.
  const stopHearingEnded = init.sessionEvents?.onEnded((sessions) => {
    const ended = new Set<string>(sessions.map((s) => s.sessionId));
    for (const connection of live) {
      if (ended.has(connection.sessionId)) {
        connection.shut(CLOSE_CODES.tokenExpired, 'The session has ended.');
      }
    }
  });

  // ---- Liveness: one ping round over every connection per interval.

  let pingTimer: NodeJS.Timeout | undefined;
  let pingRound = 0;

  function pingAll(): void {
    pingRound += 1;
    for (const connection of live) {
      if (connection.closing) continue;
      connection.socket.ping();
      if (connection.unansweredPing === 0) connection.unansweredPing = pingRound;
    }
    setTimeout(dropSilent, settings.pongTimeoutMs, pingRound).unref();
  }

  /** Cuts (no closing handshake) every connection that has not answered a ping of `round` or before. */
  function dropSilent(round: number): void {
    for (const connection of live) {
      const since = connection.unansweredPing;
      if (!connection.closing && since !== 0 && since <= round) connection.terminate();
    }
  }

  let closing: Promise<void> | undefined;
  function shutDown(): Promise<void> {
    shuttingDown = true;
    stopHearingEnded?.();
    clearInterval(pingTimer);
    return closeConnections({ lifecycle, expiries, closeGraceMs: settings.closeGraceMs });
  }

  return {
    attach(server) {
      server.on('upgrade', (request, socket, head) => {
        void admit(request, socket, head).catch((error: unknown) => {
          logger.error('WebSocket upgrade failed', error);
          socket.destroy();
        });
      });
      pingTimer = setInterval(pingAll, settings.pingIntervalMs);
      pingTimer.unref();
    },
    get size() {
      return live.size;
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}
