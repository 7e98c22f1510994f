/**
 * @module Admission of WebSocket upgrades on `/` and `/ws` with `?token=`.
 * The token is read from the upgrade request before `ws` sees it, so a bad
 * token gets a real `401` with the contract's JSON error body, another
 * target a bare `404`. Every upgrade answered is reported like an HTTP
 * request (`GET / 101`) to the metrics and the access log. Nothing here logs
 * a URL: the token travels in the query string.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Server as WebSocketServer } from 'ws';
import {
  authenticate,
  type Deps,
  DomainError,
  isDomainError,
  SEQ_RULE,
  ValidationError,
  withFields,
} from '../../core/index.js';
import { errorBody, STATUS_BY_CODE } from '../wire/errors.js';
import { type RequestRecord, UNMATCHED_ROUTE } from '../wire/observation.js';
import type { HubLogger, HubSocket } from './connection.js';
import type { Admitted } from './lifecycle.js';

/** The paths a client connects to (API.md §7). */
export const WS_PATHS = ['/', '/ws'] as const;

/** What `ws` answers an upgrade on a path that takes none (API.md: status line only). */
const NOT_FOUND_ANSWER = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** Told of every upgrade request the hub answers, as the HTTP app's requests are. */
export interface UpgradeObserver {
  /** An upgrade request has come in (the in-flight gauge). */
  started(): void;
  /** It was answered: `101`, or the refusal's status. */
  finished(record: RequestRecord): void;
}

/**
 * The path (one of `WS_PATHS`) and query of an upgrade's request target, or
 * null for any other target. Read as the origin-form it must be, without
 * `new URL()`: that throws on targets such as `//[` or `//:99999`, and reads
 * `//host/` as a host with the path `/`.
 */
export function parseTarget(
  target: string | undefined,
): { readonly path: string; readonly query: URLSearchParams } | null {
  if (target === undefined) return null;
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  if (!(WS_PATHS as readonly string[]).includes(path)) return null;
  return { path, query: new URLSearchParams(mark === -1 ? '' : target.slice(mark + 1)) };
}

export interface AdmissionInit {
  readonly deps: Deps;
  readonly logger: HubLogger;
  readonly upgrades: UpgradeObserver | undefined;
  /** Completes the handshake of an admitted upgrade. */
  readonly wss: WebSocketServer<typeof HubSocket>;
  /** True once the hub is closing: upgrades are refused with 503. */
  isShuttingDown(): boolean;
  /** Starts the life of an admitted socket. */
  open(socket: HubSocket, admitted: Admitted): void;
}

/** The HTTP server's `upgrade` listener: admits or refuses, and reports what it answered. */
export function createUpgradeHandler(init: AdmissionInit) {
  const { deps, logger, upgrades, wss } = init;

  /** The session of an upgrade with a valid token; throws the refusal otherwise. */
  async function admission(query: URLSearchParams): Promise<Admitted> {
    const token = query.get('token');
    if (token === null || token === '') {
      throw new DomainError('UNAUTHENTICATED', 'No token: connect with ?token=<jwt>.');
    }
    const since = sinceOf(query.get('since'));
    const session = await authenticate(deps, token);
    if (session.expiresAt.getTime() <= deps.clock.now().getTime()) {
      throw new DomainError('UNAUTHENTICATED', 'The token has expired.');
    }
    if (init.isShuttingDown()) {
      throw new DomainError('SERVICE_UNAVAILABLE', 'The server is shutting down.');
    }
    return withFields(session, { since });
  }

  /** Answers a refused upgrade with the contract's JSON error; returns the status. */
  function refuseUpgrade(socket: Duplex, error: unknown, requestId: string): number {
    let known: DomainError;
    if (isDomainError(error)) {
      known = error;
    } else {
      logger.error(`[${requestId}] WebSocket upgrade failed`, error);
      known = new DomainError('INTERNAL', 'Something went wrong on our side.');
    }
    const status = STATUS_BY_CODE[known.code];
    const json = JSON.stringify(errorBody(known.code, known.message));
    // Like every HTTP error answer, a refused upgrade names a request id (SECURITY.md).
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
    return status;
  }

  return async function admit(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    socket.on('error', destroyOnError);
    upgrades?.started();
    const started = performance.now();
    const requestId = randomUUID();
    let route = UNMATCHED_ROUTE;
    // Until answered otherwise: a throw from here on is cut off by the caller.
    let status = 500;
    try {
      const target = parseTarget(request.url);
      if (target === null) {
        status = 404;
        if (socket.writable) socket.end(NOT_FOUND_ANSWER);
        else socket.destroy();
        return;
      }
      route = target.path;
      let admitted: Admitted;
      try {
        admitted = await admission(target.query);
      } catch (error) {
        status = refuseUpgrade(socket, error, requestId);
        return;
      }
      socket.off('error', destroyOnError);
      // `ws` answers a malformed handshake itself (400/405); a sound one calls back at once.
      status = 400;
      wss.handleUpgrade(request, socket, head, (ws) => {
        status = 101;
        init.open(ws, admitted);
      });
    } finally {
      upgrades?.finished({
        requestId,
        method: 'GET',
        route,
        status,
        durationMs: performance.now() - started,
      });
    }
  };
}

/** Until the upgrade, a reset socket is just dropped (Node removed its own listener). */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** `?since=`: absent, or a whole number ≥ 0. */
function sinceOf(value: string | null): number | undefined {
  if (value === null) return undefined;
  const since = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!SEQ_RULE.test(since)) throw ValidationError.at('since', SEQ_RULE.message);
  return since;
}
