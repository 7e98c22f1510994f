/**
 * @module The one WebSocket of a device (docs/API.md §WebSocket): typed
 * frames both ways, and reconnection with exponential back-off and jitter
 * after any close the client did not ask for. Closes that mean "sign in
 * again" (4401: token expired or session ended) stop reconnecting. Pushes
 * missed while disconnected are not replayed by the socket: listeners of
 * the `ready` frame re-read what they show.
 */
import { platform, timers, type WebSocketConstructor, type WebSocketLike } from './platform.js';
import type {
  ClientFrames,
  ClientFrameType,
  ServerFrame,
  ServerFrames,
  ServerFrameType,
} from './types.js';

export type SocketState =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'unauthorized'
  | 'closed';

export interface BackoffOptions {
  /** First wait after a lost connection (default 500 ms). */
  readonly initialMs?: number;
  /** Longest wait (default 15 s). */
  readonly maxMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
}

export interface SocketOptions {
  /** The server's HTTP(S) base URL; the socket goes to `ws(s)://…/ws`. */
  readonly baseUrl: string;
  /** Read at every (re)connect, so a fresh token is used. */
  readonly token: () => string | null;
  /** Default: the platform's `WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  readonly backoff?: BackoffOptions;
  /** Extra query parameters per (re)connect (e.g. a resume point). */
  readonly query?: () => Record<string, string | undefined>;
  /**
   * Acknowledge logged frames (`ack { seq }`) once the listeners have run,
   * which marks messages to this user delivered (their senders get
   * `message-delivered`). Default true; a client that stores frames before
   * it may call them received turns it off and calls `ack()` itself.
   */
  readonly autoAck?: boolean;
}

/** An automatic `ack` waits this long for more logged frames to cover at once. */
const ACK_DELAY_MS = 250;
/** …but never this many frames: the server takes an `ack` over its last 500 events only. */
const ACK_EVERY = 100;

type Listener<K extends ServerFrameType> = (payload: ServerFrames[K]) => void;

/** Close codes after which reconnecting cannot help: the token is no longer good. */
const UNAUTHORIZED_CLOSE_CODES = new Set([4401]);

/** A device's socket; `connect()` once, then it keeps itself connected until `close()`. */
export class MyCallsSocket {
  state: SocketState = 'idle';
  /** From the last `ready`: this connection's id (send it as `x-connection-id`). */
  connectionId: string | null = null;
  userId: string | null = null;
  /** Connection attempts since the last `ready`. */
  attempts = 0;
  /**
   * The last position in the user's event log this socket saw (`ready.seq`,
   * then the `seq` of each logged frame), sent as `since` on every reconnect
   * so that the server replays what was missed. Null until a server that
   * keeps an event log sends one.
   */
  seq: number | null = null;
  private socket: WebSocketLike | null = null;
  private timer: unknown = null;
  private ackTimer: unknown = null;
  private acked: number | null = null;
  private unacked = 0;
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<(frame: ServerFrame) => void>();
  private readonly stateListeners = new Set<(state: SocketState) => void>();

  constructor(private readonly options: SocketOptions) {}

  /** Calls `listener` with the payload of every frame of `type`; returns the unsubscribe. */
  on<K extends ServerFrameType>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Every frame, whatever its type (including types newer than this SDK). */
  onFrame(listener: (frame: ServerFrame) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  onState(listener: (state: SocketState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends a frame; false when the socket is not open (nothing is queued). */
  send<K extends ClientFrameType>(type: K, payload: ClientFrames[K]): boolean {
    if (this.socket === null || this.state !== 'open') return false;
    this.socket.send(JSON.stringify({ type, payload }));
    return true;
  }

  /**
   * Tells `to` this user is typing (`active: true`; repeat within 6 s or the
   * server ends it) or stopped. The server drops it silently unless both share
   * a conversation with `typingIndicators` on; false when the socket is not open.
   */
  typing(to: string, active: boolean): boolean {
    return this.send('typing', { to, active });
  }

  /**
   * Acknowledges every logged frame up to `seq` (default: the last one seen):
   * the messages among them are delivered. False when there is nothing new
   * to acknowledge or the socket is not open (the next ack covers them).
   */
  ack(seq: number | null = this.seq): boolean {
    this.clearAckTimer();
    if (seq === null || (this.acked !== null && seq <= this.acked)) return false;
    if (!this.send('ack', { seq })) return false;
    this.acked = seq;
    this.unacked = 0;
    return true;
  }

  /** Opens the socket; throws when the platform has no WebSocket and none was given. */
  connect(): void {
    if (this.state === 'connecting' || this.state === 'open') return;
    const WebSocketImpl = this.options.WebSocket ?? platform.WebSocket;
    if (WebSocketImpl === undefined) {
      throw new Error('No WebSocket on this platform: pass options.WebSocket.');
    }
    this.clearTimer();
    const token = this.options.token();
    if (token === null) {
      this.setState('unauthorized');
      return;
    }
    this.setState(this.attempts === 0 ? 'connecting' : 'reconnecting');
    this.attempts += 1;
    const params = {
      ...this.options.query?.(),
      ...(this.seq === null ? {} : { since: String(this.seq) }),
      token,
    };
    const query = Object.entries(params)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&');
    const base = this.options.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
    const socket = new WebSocketImpl(`${base}/ws?${query}`);
    this.socket = socket;
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      // Read loosely: servers without an event log send no seq.
      const seq =
        frame.seq ??
        (frame.type === 'ready' ? (frame.payload as { seq?: unknown }).seq : undefined);
      if (
        typeof seq === 'number' &&
        (this.seq === null || seq > this.seq || frame.type === 'ready')
      ) {
        this.seq = seq;
      }
      if (frame.type === 'ready') {
        this.connectionId = frame.payload.connectionId;
        this.userId = frame.payload.userId;
        this.attempts = 0;
        // Acks are per user, not per connection: after a reset, ack again from here.
        this.acked = null;
        this.setState('open');
      }
      this.dispatch(frame);
      if (typeof frame.seq === 'number' && this.options.autoAck !== false) this.scheduleAck();
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connectionId = null;
      if (this.state === 'closed') return;
      if (UNAUTHORIZED_CLOSE_CODES.has(event.code)) {
        this.setState('unauthorized');
        return;
      }
      this.scheduleReconnect();
    };
  }

  /** Closes for good (sign-out, leaving the page). */
  close(): void {
    this.clearTimer();
    this.clearAckTimer();
    this.setState('closed');
    const socket = this.socket;
    this.socket = null;
    this.connectionId = null;
    socket?.close(1000);
  }

  /** Drops the connection and reconnects at once (e.g. when the device comes back online). */
  reconnectNow(): void {
    if (this.state === 'closed' || this.state === 'unauthorized') return;
    this.clearTimer();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
    this.state = 'idle';
    this.connect();
  }

  /** The wait before attempt `attempt` (1-based): exponential, capped, with full jitter. */
  delayFor(attempt: number, random: () => number = Math.random): number {
    const { initialMs = 500, maxMs = 15_000, factor = 2 } = this.options.backoff ?? {};
    const ceiling = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    this.clearTimer();
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      this.state = 'idle';
      this.connect();
    }, this.delayFor(this.attempts));
  }

  private dispatch(frame: ServerFrame): void {
    for (const listener of this.anyListeners) listener(frame);
    const set = this.listeners.get(frame.type);
    if (set === undefined) return;
    for (const listener of [...set]) (listener as (payload: unknown) => void)(frame.payload);
  }

  private setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private clearTimer(): void {
    if (this.timer !== null) timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleAck(): void {
    this.unacked += 1;
    if (this.unacked >= ACK_EVERY) {
      this.ack();
      return;
    }
    if (this.ackTimer === null) {
      this.ackTimer = timers.setTimeout(() => {
        this.ackTimer = null;
        this.ack();
      }, ACK_DELAY_MS);
    }
  }

  private clearAckTimer(): void {
    if (this.ackTimer !== null) timers.clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }
}
