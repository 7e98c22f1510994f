/**
 * @module The WebSocket hub (API.md §7) on a `ws` server of its own: admits
 * upgrades on `/` and `/ws` with `?token=`, keeps one small record per
 * socket, turns the notifier's pushes into frames, hands client frames to the
 * handler registry in arrival order, and enforces the socket limits: 64 KiB
 * frames (1009), the frame budget (`RATE_LIMITED`, then 1008), ping/pong
 * liveness, 1 MiB of unsent data (1013), token expiry and the end of the
 * token's device session (4401).
 *
 * What other users send (relayed call frames, their messages) never closes a
 * connection: it has a budget of its own per connection, per sender and in
 * all, counted from the send to the moment `ws` hands it to the kernel. A
 * relayed push over it is dropped for that connection only, so a stranger
 * who floods a stalled callee loses their own frames, and the 1013 close
 * counts only what the connection's own user caused and the server's own
 * pushes (docs/API.md, "relayed data").
 *
 * Admission reads the token from the upgrade request before `ws` sees it, so
 * a bad token gets a real `401` with the contract's JSON error body. Every
 * upgrade answered is reported like an HTTP request (`GET / 101`) to the
 * metrics and the access log. Nothing here logs a URL: the token travels in
 * the query string.
 *
 * A server holds tens of thousands of mostly idle sockets, so what one costs
 * matters (bench `memory`): a connection is one `Connection` record hung on
 * its `ws` socket, and nothing of the upgrade request is kept. All sockets
 * share one set of listener functions, which find their record through
 * `this`; liveness is one interval pinging every socket, and token expiry one
 * timer over a heap (expiry-queue.ts). A connection's frames and lifecycle
 * steps run through a queue of its own that allocates nothing while idle.
 *
 * Logged events (those with a `seq`, docs/API.md "Sync") reach a connection
 * in `seq` order without holes: each connection knows the next `seq` it
 * owes (`expected`); one that arrives early (pushed by another instance
 * before an earlier one, or after a push that was lost) is held, and the
 * missing ones are read from the log, where they exist already (the log
 * makes n readable before n + 1 exists). A connection opened with
 * `?since=` (or sent `sync { since }`) first gets the logged events after
 * `since`, then `sync-done`; live pushes meanwhile are held and follow.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  authenticate,
  connectionClosed,
  connectionOpened,
  type Deps,
  DomainError,
  deliverPendingCall,
  type EndedSession,
  isDomainError,
  type LoggedEvent,
  MAX_READ_LIMIT,
  MAX_SYNC_LIMIT,
  presenceConnectionClosed,
  readEvents,
  type SessionId,
  type User,
  type UserId,
  ValidationError,
} from '../../core/index.js';
import { errorBody, STATUS_BY_CODE } from '../wire/errors.js';
import type { ConnectionRegistry } from '../wire/local-notifier.js';
import { type RequestRecord, UNMATCHED_ROUTE } from '../wire/observation.js';
import { type Push, pushOf } from '../wire/push.js';
import { serializeEvent } from '../wire/serialize.js';
import { type Expiring, ExpiryQueue } from './expiry-queue.js';
import { FrameBudget, type FrameBudgetOptions, frameBudgetRule } from './frame-budget.js';
import {
  type CallLimits,
  createFrameHandlers,
  type FrameContext,
  type FrameRateLimiter,
} from './handlers.js';
import {
  type ClientEnvelope,
  errorFrame,
  FrameError,
  parseEnvelope,
  readyFrame,
  type ServerFrame,
  syncDoneFrame,
  syncResetFrame,
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

export type { ConnectionRegistry } from '../wire/local-notifier.js';

/** Receives unexpected errors; structurally the server's `Logger`. */
export interface HubLogger {
  error(message: string, error?: unknown): void;
}

/** Told of every upgrade request the hub answers, as the HTTP app's requests are. */
export interface UpgradeObserver {
  /** An upgrade request has come in (the in-flight gauge). */
  started(): void;
  /** It was answered: `101`, or the refusal's status. */
  finished(record: RequestRecord): void;
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

interface Session {
  readonly user: User;
  readonly session: { readonly id: SessionId };
  readonly expiresAt: Date;
  /** `?since=`: replay the log after it before going live. */
  readonly since: number | undefined;
}

/** A push that came before it could be sent: not greeted yet, or a logged event ahead of its turn. */
interface Held {
  readonly push: Push;
  /** A logged event this connection must not get (it came from it), only count. */
  readonly passedBy: boolean;
}

/** A replay waits for the socket to drain below this before it sends the next page. */
const REPLAY_LOW_WATER_BYTES = 256 * 1024;
/** A replay looks whether the socket drained every this many frames. */
const REPLAY_CHECK_EVERY = 64;
/** How long to wait before looking at the log again for an event still missing. */
const REFILL_DELAY_MS = 50;
/** Pushes held per connection at most; the log has the rest. */
const MAX_HELD = 1000;

const DEFAULTS = {
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  maxRelayedBytesPerSender: 256 * 1024,
  maxRelayedBytes: 512 * 1024,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 30_000,
  closeGraceMs: 2_000,
};

/** What `ws` answers an upgrade on a path that takes none (API.md: status line only). */
const NOT_FOUND_ANSWER = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

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

/** Until the upgrade, a reset socket is just dropped (Node removed its own listener). */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Socket errors (an oversized or malformed frame, a reset) are the client's; `ws` closes the socket. */
function ignoreSocketError(): void {}

/** Creates the hub; `attach` it to the HTTP server to start taking upgrades. */
export function createWsHub(init: WsHubInit): WsHub {
  const { deps, connections: registry, upgrades } = init;
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
  const budgetRule = init.frameBudget === false ? null : frameBudgetRule(init.frameBudget);

  /** A client frame (text, as received) or a step of the connection's life. */
  type Job = Buffer | Step;
  type Step = (connection: Connection) => Promise<void> | void;

  /** Everything the hub keeps per connection. */
  class Connection implements FrameContext, Expiring {
    expiryIndex = -1;
    /** The ping round of the oldest ping not answered yet; 0 while every ping is answered. */
    unansweredPing = 0;
    closing = false;
    /** A job is running; the ones after it wait in `backlog`, created only when needed. */
    busy = false;
    backlog: Job[] | undefined = undefined;
    unsubscribe: (() => void) | undefined = undefined;
    /** Relayed bytes sent but not yet handed to the kernel, and each sender's share (while any). */
    relayed = 0;
    relayedBy: Map<UserId, number> | undefined = undefined;
    /** The next `seq` this connection owes its client; 0 until `ready` set it. */
    expected = 0;
    /** A replay runs: logged pushes wait in `held`. */
    syncing = false;
    /** A fill of the log's events is queued. */
    filling = false;
    /** The replays asked for, while any runs. */
    replaying: Promise<void> | undefined = undefined;
    /** Pushes waiting for their turn (see `Held`); created only when needed. */
    held: Held[] | undefined = undefined;
    /** A logged event did not fit the relay budget: the log is read again once relayed frames drain. */
    blocked = false;

    constructor(
      readonly socket: HubSocket,
      readonly userId: UserId,
      readonly connectionId: string,
      /** The device session of the token it connected with. */
      readonly sessionId: SessionId,
      /** The token's expiry, epoch ms. */
      readonly expiresAt: number,
      readonly budget: FrameBudget | null,
      readonly since: number | undefined,
    ) {}

    send(frame: ServerFrame): void {
      if (this.closing || this.socket.readyState !== WebSocket.OPEN) return;
      this.sendText(JSON.stringify(frame));
    }

    /** The registry's listener (bound once per connection): the push's frame goes out. */
    deliver(push: Push, passedBy?: true): void {
      if (this.closing || this.socket.readyState !== WebSocket.OPEN) return;
      if (push.seq !== undefined || this.expected === 0) {
        this.deliverLogged(push, passedBy === true);
        return;
      }
      try {
        const sender = this.senderOf(push);
        if (sender === undefined) this.sendText(push.text);
        else this.relay(sender, push);
      } catch (error) {
        logger.error(`WebSocket push failed on ${this.connectionId}`, error);
      }
    }

    /** In `seq` order: the one owed goes out, a later one waits for the log to fill the hole. */
    private deliverLogged(push: Push, passedBy: boolean): void {
      if (this.expected !== 0 && !this.syncing && this.held === undefined) {
        const seq = push.seq!;
        if (seq < this.expected) return;
        if (seq === this.expected) {
          if (passedBy) this.expected = seq + 1;
          else if (!this.sendLogged(push)) {
            // Over the relay budget: it waits in the log until the client reads again.
            this.held = [{ push, passedBy }];
          }
          return;
        }
      }
      this.held ??= [];
      if (this.held.length < MAX_HELD) this.held.push({ push, passedBy });
      if (this.expected !== 0 && !this.syncing && !this.blocked) requestFill(this);
    }

    /**
     * Sends the logged push owed; one another user caused goes within the
     * relay budget, and false says it did not fit (nothing was sent).
     */
    sendLogged(push: Push): boolean {
      const sender = this.senderOf(push);
      if (sender === undefined) this.pushText(push.text);
      else if (!this.relay(sender, push)) {
        this.blocked = true;
        return false;
      }
      this.expected = push.seq! + 1;
      return true;
    }

    /**
     * The other user whose doing a push is, or undefined for what the user's
     * own actions (their messages on their other devices) or the server caused.
     */
    private senderOf(push: Push): UserId | undefined {
      return push.from === this.userId ? undefined : push.from;
    }

    /** Sends an event of a replay the client asked for: its own doing, whatever caused it. */
    sendEvent(event: LoggedEvent): void {
      this.expected = event.seq + 1;
      this.pushText(JSON.stringify(serializeEvent(event)));
    }

    /** Whether the client has read enough of what was sent for more to be sent. */
    get drained(): boolean {
      return this.socket.bufferedAmount <= REPLAY_LOW_WATER_BYTES;
    }

    /**
     * Replays the log after `since`, then `sync-done` (`?since=`, `sync`).
     * Replays run one after another, beside the connection's frames: a long
     * one does not hold up an incoming call.
     */
    resume(since: number): Promise<void> {
      const run = (this.replaying ?? Promise.resolve()).then(() => replay(this, since));
      const tail = run.catch(() => {});
      this.replaying = tail;
      void tail.then(() => {
        if (this.replaying === tail) this.replaying = undefined;
      });
      return run;
    }

    private pushText(text: string): void {
      if (this.closing || this.socket.readyState !== WebSocket.OPEN) return;
      try {
        this.sendText(text);
      } catch (error) {
        logger.error(`WebSocket push failed on ${this.connectionId}`, error);
      }
    }

    private sendText(text: string): void {
      this.socket.send(text);
      // Relayed pushes still waiting are someone else's doing: they never close the connection.
      if (this.socket.bufferedAmount - this.relayed > settings.maxBufferedBytes) {
        shut(this, CLOSE_CODES.tryAgainLater, 'Too much unread data: the client stopped reading.');
      }
    }

    /**
     * Sends a push `sender` caused within the relay budget, else drops it. A
     * push always goes out when nothing of its kind waits, so any frame gets
     * through to a connection that keeps up.
     */
    private relay(sender: UserId, push: Push): boolean {
      const { bytes } = push;
      const bySender = this.relayedBy?.get(sender) ?? 0;
      if (
        (bySender > 0 && bySender + bytes > settings.maxRelayedBytesPerSender) ||
        (this.relayed > 0 && this.relayed + bytes > settings.maxRelayedBytes)
      ) {
        return false;
      }
      this.relayed += bytes;
      this.relayedBy ??= new Map();
      this.relayedBy.set(sender, bySender + bytes);
      // Called once the frame is written to the kernel, or with an error when the socket is gone.
      this.socket.send(push.text, () => this.relayDone(sender, bytes));
      return true;
    }

    private relayDone(sender: UserId, bytes: number): void {
      this.relayed -= bytes;
      const left = (this.relayedBy?.get(sender) ?? 0) - bytes;
      if (left > 0) this.relayedBy!.set(sender, left);
      else {
        this.relayedBy?.delete(sender);
        if (this.relayedBy?.size === 0) this.relayedBy = undefined;
      }
      if (this.blocked && !this.closing) {
        this.blocked = false;
        requestFill(this);
      }
    }
  }

  /** `ws`'s socket, carrying its record so that shared listeners find it. */
  class HubSocket extends WebSocket {
    connection!: Connection;
  }

  const wss = new WebSocketServer<typeof HubSocket>({
    noServer: true,
    WebSocket: HubSocket,
    // `ws` checks the size of every incoming message (all fragments) and closes with 1009.
    maxPayload: settings.maxFrameBytes,
    perMessageDeflate: false,
    // The hub keeps its own set of connections.
    clientTracking: false,
  });
  const live = new Set<Connection>();
  const expiries = new ExpiryQueue<Connection>(
    () => deps.clock.now().getTime(),
    (connection) => shut(connection, CLOSE_CODES.tokenExpired, 'The token has expired.'),
  );
  /** Closed connections whose presence and call cleanup has not finished. */
  let cleaning = 0;
  let shuttingDown = false;
  // An ended session's sockets close at once. A scan: sessions end rarely,
  // and an index would cost every idle socket memory.
  const stopHearingEnded = init.sessionEvents?.onEnded((sessions) => {
    const ended = new Set<string>(sessions.map((s) => s.sessionId));
    for (const connection of live) {
      if (ended.has(connection.sessionId)) {
        shut(connection, CLOSE_CODES.tokenExpired, 'The session has ended.');
      }
    }
  });
  /** Called once no connection is open or being cleaned up, while `close()` waits for that. */
  let onQuiet: (() => void) | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let pingRound = 0;

  function shut(connection: Connection, code: number, reason: string): void {
    if (connection.closing) return;
    connection.closing = true;
    expiries.remove(connection);
    connection.socket.close(code, reason);
  }

  function terminate(connection: Connection): void {
    connection.closing = true;
    expiries.remove(connection);
    connection.socket.terminate();
  }

  // ---- Each connection's jobs, one after another in the order they came.

  function enqueue(connection: Connection, job: Job): void {
    if (connection.busy) {
      connection.backlog ??= [];
      connection.backlog.push(job);
      return;
    }
    connection.busy = true;
    void drain(connection, job);
  }

  /** Runs `first` and whatever queues up behind it; jobs that finish synchronously never wait. */
  async function drain(connection: Connection, first: Job): Promise<void> {
    for (let job: Job | undefined = first; job !== undefined; job = connection.backlog?.shift()) {
      try {
        const pending = typeof job === 'function' ? job(connection) : handleFrame(connection, job);
        if (pending !== undefined) await pending;
      } catch (error) {
        logger.error(`WebSocket task failed for connection ${connection.connectionId}`, error);
      }
    }
    connection.backlog = undefined;
    connection.busy = false;
  }

  /** Hands a text frame to its handler; a refusal becomes an `error` frame. */
  function handleFrame(connection: Connection, data: Buffer): Promise<void> | undefined {
    let envelope: ClientEnvelope;
    try {
      envelope = parseEnvelope(data.toString());
    } catch (error) {
      refuse(connection, error, undefined);
      return undefined;
    }
    const { type, payload } = envelope;
    try {
      // parseEnvelope lets only types with a handler through (UNKNOWN_EVENT otherwise).
      const handler = handlers.get(type)!;
      return handler(connection, payload).catch((error: unknown) =>
        refuse(connection, error, type),
      );
    } catch (error) {
      // The payload's validation throws before the handler's promise exists.
      refuse(connection, error, type);
      return undefined;
    }
  }

  function refuse(connection: Connection, error: unknown, type: string | undefined): void {
    if (isDomainError(error)) {
      connection.send(errorFrame(error, type));
      return;
    }
    logger.error(
      `WebSocket frame ${type ?? '(unparsed)'} failed on ${connection.connectionId}`,
      error,
    );
    connection.send(
      errorFrame(new DomainError('INTERNAL', 'Something went wrong on our side.'), type),
    );
  }

  const refuseBinary: Step = (connection) =>
    refuse(
      connection,
      new FrameError(
        'INVALID_JSON',
        'Frames must be JSON text frames; binary frames are not accepted.',
      ),
      undefined,
    );

  const refuseOverBudget: Step = (connection) =>
    refuse(connection, new DomainError('RATE_LIMITED', 'Too many frames; slow down.'), undefined);

  /**
   * Subscribes (pushes are held), then `ready` with the connection's
   * position: `since` when given (the replay follows), else the log's head,
   * or just below the first push held meanwhile, so that every push made
   * after the subscription reaches the socket, in order.
   */
  const greet: Step = async (connection) => {
    connection.unsubscribe = registry.subscribe(
      connection.userId,
      connection.connectionId,
      connection.deliver.bind(connection),
    );
    const { since } = connection;
    let position = since ?? (await deps.events.head(connection.userId));
    for (const { push } of connection.held ?? []) {
      if (push.seq !== undefined) position = Math.min(position, push.seq - 1);
    }
    if (connection.closing) return;
    connection.send(
      readyFrame(connection.userId, connection.connectionId, connection.sessionId, position),
    );
    if (since !== undefined) {
      // Logged pushes wait for the replay from now on, not only once it starts.
      connection.syncing = true;
      connection.resume(since).catch((error: unknown) => {
        logger.error(`Replaying the event log failed for ${connection.connectionId}`, error);
        shut(connection, CLOSE_CODES.tryAgainLater, 'The replay failed; connect again.');
      });
      return;
    }
    connection.expected = position + 1;
    release(connection);
  };

  /** Many instances: `ready` only once pushes from other instances reach this one. */
  const listenThenGreet: Step = async (connection) => {
    const stop = await registry.listen!(connection.userId);
    try {
      if (!connection.closing) await greet(connection);
    } finally {
      stop();
    }
  };

  /**
   * The log after `since`, page by page, then `sync-done`; live pushes are
   * held meanwhile and follow. Sending waits for the socket to drain, so a long
   * replay never trips the unread-data limit.
   */
  async function replay(connection: Connection, since: number): Promise<void> {
    connection.syncing = true;
    connection.expected = since + 1;
    try {
      for (let idle = 0; ; ) {
        const page = await readEvents(deps, {
          userId: connection.userId,
          since: connection.expected - 1,
          limit: MAX_READ_LIMIT,
        });
        if (connection.closing) return;
        if (page.reset) {
          connection.send(syncResetFrame(page.seq));
          connection.expected = page.seq + 1;
          break;
        }
        for (let i = 0; i < page.events.length; i++) {
          // A page is large: pause whenever the client has not read what was sent.
          if (i % REPLAY_CHECK_EVERY === 0) {
            while (!connection.drained && !connection.closing) await sleep(10);
            if (connection.closing) return;
          }
          connection.sendEvent(page.events[i]!);
        }
        if (!page.more) break;
        // A hole is a write still landing: look again shortly.
        idle = page.events.length === 0 ? idle + 1 : 0;
        if (idle > 0) await sleep(REFILL_DELAY_MS);
        while (!connection.drained && !connection.closing) await sleep(10);
      }
      connection.send(syncDoneFrame(connection.expected - 1));
    } finally {
      connection.syncing = false;
      if (!connection.closing) release(connection);
    }
  }

  /** Sends what was held that is now due; asks the log for what is still missing. */
  function release(connection: Connection): void {
    const held = connection.held;
    if (held === undefined) return;
    connection.held = undefined;
    const logged: Held[] = [];
    for (const entry of held) {
      if (entry.push.seq !== undefined) logged.push(entry);
      // Pushes without a seq held before `ready` go out in the order they came.
      else connection.deliver(entry.push);
    }
    logged.sort((a, b) => seqOf(a) - seqOf(b));
    for (const entry of logged) connection.deliver(entry.push, entryFlag(entry));
  }

  function requestFill(connection: Connection): void {
    if (connection.filling) return;
    connection.filling = true;
    enqueue(connection, fill);
  }

  /**
   * Reads the log from the first `seq` owed to its end, sending within the
   * relay budget, then releases what was held meanwhile. A hole still there
   * (a write landing) is looked for again after a pause; a full relay
   * budget, once relayed frames drain (`relayDone`).
   */
  const fill: Step = async (connection) => {
    connection.filling = false;
    const held = connection.held;
    if (connection.closing || connection.syncing || held === undefined) return;
    const passedBy = new Set(held.filter((e) => e.passedBy).map(seqOf));
    // Pushes arriving meanwhile wait behind what is read here.
    connection.held = [];
    let caughtUp = false;
    try {
      for (;;) {
        const page = await readEvents(deps, {
          userId: connection.userId,
          since: connection.expected - 1,
          limit: MAX_SYNC_LIMIT,
        });
        if (connection.closing) return;
        if (page.reset) {
          connection.send(syncResetFrame(page.seq));
          connection.expected = page.seq + 1;
          caughtUp = true;
          break;
        }
        for (const event of page.events) {
          if (passedBy.has(event.seq)) connection.expected = event.seq + 1;
          else if (!connection.sendLogged(pushOf(event))) break;
        }
        if (connection.blocked || !page.more || page.events.length === 0) {
          caughtUp = !connection.blocked && !page.more;
          break;
        }
      }
    } catch (error) {
      logger.error(`Reading the event log failed for ${connection.connectionId}`, error);
    }
    if (connection.closing || connection.blocked) return;
    if (caughtUp) {
      release(connection);
      return;
    }
    connection.filling = true;
    setTimeout(() => {
      connection.filling = false;
      if (!connection.closing && connection.held !== undefined) requestFill(connection);
    }, REFILL_DELAY_MS).unref();
  };

  const joinPresence: Step = (connection) =>
    connectionOpened(deps, { userId: connection.userId, connectionId: connection.connectionId });

  /** A device woken by a call push finds the call ringing right after `ready`. */
  const ringPending: Step = async (connection) => {
    if (connection.closing) return;
    await deliverPendingCall(deps, {
      userId: connection.userId,
      connectionId: connection.connectionId,
    });
  };

  /** Presence first: the call cleanup reads whether the user is still online. */
  const leave: Step = async (connection) => {
    const { userId, connectionId } = connection;
    try {
      await presenceConnectionClosed(deps, { userId, connectionId });
    } finally {
      try {
        await connectionClosed(deps, { userId, connectionId });
      } finally {
        cleaning -= 1;
        checkQuiet();
      }
    }
  };

  function checkQuiet(): void {
    if (onQuiet !== undefined && live.size === 0 && cleaning === 0) {
      const resolve = onQuiet;
      onQuiet = undefined;
      resolve();
    }
  }

  // ---- The listeners every socket shares; `this` is the socket (one of ours: see `wss`).

  const recordOf = (socket: WebSocket): Connection => (socket as HubSocket).connection;

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = recordOf(this);
    if (connection.closing) return;
    const verdict = connection.budget?.take(performance.now()) ?? 'accept';
    if (verdict === 'close') {
      shut(connection, CLOSE_CODES.policyViolation, 'Too many frames.');
      return;
    }
    // With the default binaryType a message is one Buffer, fragments already joined.
    enqueue(
      connection,
      verdict === 'refuse' ? refuseOverBudget : isBinary ? refuseBinary : (data as Buffer),
    );
  }

  function onPong(this: WebSocket): void {
    recordOf(this).unansweredPing = 0;
  }

  function onClose(this: WebSocket): void {
    const connection = recordOf(this);
    connection.closing = true;
    expiries.remove(connection);
    connection.unsubscribe?.();
    connection.unsubscribe = undefined;
    live.delete(connection);
    cleaning += 1;
    enqueue(connection, leave);
  }

  function open(socket: HubSocket, session: Session): void {
    const connection = new Connection(
      socket,
      session.user.id,
      randomUUID(),
      session.session.id,
      session.expiresAt.getTime(),
      budgetRule === null ? null : new FrameBudget(budgetRule),
      session.since,
    );
    socket.connection = connection;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.on('error', ignoreSocketError);
    live.add(connection);
    expiries.add(connection);
    enqueue(connection, registry.listen === undefined ? greet : listenThenGreet);
    enqueue(connection, joinPresence);
    enqueue(connection, ringPending);
  }

  // ---- Liveness: one ping round over every connection per interval.

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
      if (!connection.closing && since !== 0 && since <= round) terminate(connection);
    }
  }

  // ---- Admission.

  async function admit(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
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
      let session: Session;
      try {
        session = await admission(target.query);
      } catch (error) {
        status = refuseUpgrade(socket, error, requestId);
        return;
      }
      socket.off('error', destroyOnError);
      // `ws` answers a malformed handshake itself (400/405); a sound one calls back at once.
      status = 400;
      wss.handleUpgrade(request, socket, head, (ws) => {
        status = 101;
        open(ws, session);
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
  }

  /** The session of an upgrade with a valid token; throws the refusal otherwise. */
  async function admission(query: URLSearchParams): Promise<Session> {
    const token = query.get('token');
    if (token === null || token === '') {
      throw new DomainError('UNAUTHENTICATED', 'No token: connect with ?token=<jwt>.');
    }
    const since = sinceOf(query.get('since'));
    const session = await authenticate(deps, token);
    if (session.expiresAt.getTime() <= deps.clock.now().getTime()) {
      throw new DomainError('UNAUTHENTICATED', 'The token has expired.');
    }
    if (shuttingDown) throw new DomainError('SERVICE_UNAVAILABLE', 'The server is shutting down.');
    return { ...session, since };
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

  let closing: Promise<void> | undefined;
  async function shutDown(): Promise<void> {
    shuttingDown = true;
    stopHearingEnded?.();
    clearInterval(pingTimer);
    const quiet = new Promise<void>((resolve) => {
      onQuiet = resolve;
      checkQuiet();
    });
    for (const connection of live) {
      shut(connection, CLOSE_CODES.goingAway, 'The server is shutting down.');
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, settings.closeGraceMs);
    });
    await Promise.race([quiet, grace]);
    clearTimeout(timer);
    // Clients that do not answer the closing handshake in time are cut off.
    for (const connection of live) terminate(connection);
    await quiet;
    expiries.clear();
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

/** `?since=`: absent, or a whole number ≥ 0. */
function sinceOf(value: string | null): number | undefined {
  if (value === null) return undefined;
  const since = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(since)) {
    throw ValidationError.at('since', 'Must be a whole number ≥ 0 (the last seq you have).');
  }
  return since;
}

function seqOf(entry: Held): number {
  return entry.push.seq!;
}

function entryFlag(entry: Held): true | undefined {
  return entry.passedBy ? true : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
