/**
 * @module One live socket: its record, its job queue, and how pushes reach it.
 *
 * A server holds tens of thousands of mostly idle sockets, so what one costs
 * matters (bench `memory`): a connection is one `Connection` record hung on
 * its `ws` socket, and nothing of the upgrade request is kept. All sockets
 * share one set of listener functions, which find their record through
 * `this`, and every connection of a hub points to the same `ConnectionHost`.
 * A connection's frames and lifecycle steps run through a queue of its own
 * that allocates nothing while idle.
 *
 * What other users send (relayed call frames, their messages) never closes a
 * connection: it has a budget of its own per connection, per sender and in
 * all, counted from the send to the moment `ws` hands it to the kernel. A
 * relayed push over it is dropped for that connection only, so a stranger
 * who floods a stalled callee loses their own frames, and the 1013 close
 * counts only what the connection's own user caused and the server's own
 * pushes (docs/API.md, "relayed data").
 *
 * Logged events (those with a `seq`, docs/API.md "Sync") reach a connection
 * in `seq` order without holes: each connection knows the next `seq` it
 * owes (`expected`); one that arrives early (pushed by another instance
 * before an earlier one, or after a push that was lost) is held, and the
 * missing ones are read from the log (lifecycle.ts).
 */
import { WebSocket } from 'ws';
import type { LoggedEvent, SessionId, UserId } from '../../core/index.js';
import type { Push } from '../wire/push.js';
import { serializeEvent } from '../wire/serialize.js';
import type { Expiring, ExpiryQueue } from './expiry-queue.js';
import type { FrameBudget } from './frame-budget.js';
import type { FrameContext } from './handlers.js';
import { CLOSE_CODES, type ServerFrame } from './protocol.js';

/** Receives unexpected errors; structurally the server's `Logger`. */
export interface HubLogger {
  error(message: string, error?: unknown): void;
}

/** What a connection may hold unsent (WsHubOptions). */
export interface ConnectionLimits {
  readonly maxBufferedBytes: number;
  readonly maxRelayedBytesPerSender: number;
  readonly maxRelayedBytes: number;
}

/** What every connection of one hub shares: its limits and the hub's other parts. */
export interface ConnectionHost {
  readonly limits: ConnectionLimits;
  readonly logger: HubLogger;
  /** Token expiries; a closing connection leaves it. */
  readonly expiries: ExpiryQueue<Connection>;
  /** Runs a client's text frame (dispatch.ts). */
  handleFrame(connection: Connection, data: Buffer): Promise<void> | undefined;
  /** Reads the log for the logged pushes a connection owes (lifecycle.ts). */
  requestFill(connection: Connection): void;
  /** Replays the log after `since`, then `sync-done` (lifecycle.ts). */
  replay(connection: Connection, since: number): Promise<void>;
}

/** A client frame (text, as received) or a step of the connection's life. */
export type Job = Buffer | Step;
export type Step = (connection: Connection) => Promise<void> | void;

/** A push that came before it could be sent: not greeted yet, or a logged event ahead of its turn. */
export interface Held {
  readonly push: Push;
  /** A logged event this connection must not get (it came from it), only count. */
  readonly passedBy: boolean;
}

/** A replay waits for the socket to drain below this before it sends the next page. */
const REPLAY_LOW_WATER_BYTES = 256 * 1024;
/** Pushes held per connection at most; the log has the rest. */
const MAX_HELD = 1000;

/** `ws`'s socket, carrying its record so that shared listeners find it. */
export class HubSocket extends WebSocket {
  connection!: Connection;
}

/** Everything the hub keeps per connection. */
export class Connection implements FrameContext, Expiring {
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
    readonly host: ConnectionHost,
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
      this.host.logger.error(`WebSocket push failed on ${this.connectionId}`, error);
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
    if (this.expected !== 0 && !this.syncing && !this.blocked) this.host.requestFill(this);
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
    const run = (this.replaying ?? Promise.resolve()).then(() => this.host.replay(this, since));
    const tail = run.catch(() => {});
    this.replaying = tail;
    void tail.then(() => {
      if (this.replaying === tail) this.replaying = undefined;
    });
    return run;
  }

  /** Closes with a closing handshake; the token's expiry no longer matters. */
  shut(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.host.expiries.remove(this);
    this.socket.close(code, reason);
  }

  /** Cuts the socket, no closing handshake. */
  terminate(): void {
    this.closing = true;
    this.host.expiries.remove(this);
    this.socket.terminate();
  }

  // ---- The connection's jobs, one after another in the order they came.

  enqueue(job: Job): void {
    if (this.busy) {
      this.backlog ??= [];
      this.backlog.push(job);
      return;
    }
    this.busy = true;
    void this.drain(job);
  }

  /** Runs `first` and whatever queues up behind it; jobs that finish synchronously never wait. */
  private async drain(first: Job): Promise<void> {
    for (let job: Job | undefined = first; job !== undefined; job = this.backlog?.shift()) {
      try {
        const pending = typeof job === 'function' ? job(this) : this.host.handleFrame(this, job);
        if (pending !== undefined) await pending;
      } catch (error) {
        this.host.logger.error(`WebSocket task failed for connection ${this.connectionId}`, error);
      }
    }
    this.backlog = undefined;
    this.busy = false;
  }

  private pushText(text: string): void {
    if (this.closing || this.socket.readyState !== WebSocket.OPEN) return;
    try {
      this.sendText(text);
    } catch (error) {
      this.host.logger.error(`WebSocket push failed on ${this.connectionId}`, error);
    }
  }

  private sendText(text: string): void {
    this.socket.send(text);
    // Relayed pushes still waiting are someone else's doing: they never close the connection.
    if (this.socket.bufferedAmount - this.relayed > this.host.limits.maxBufferedBytes) {
      this.shut(CLOSE_CODES.tryAgainLater, 'Too much unread data: the client stopped reading.');
    }
  }

  /**
   * Sends a push `sender` caused within the relay budget, else drops it. A
   * push always goes out when nothing of its kind waits, so any frame gets
   * through to a connection that keeps up.
   */
  private relay(sender: UserId, push: Push): boolean {
    const { bytes } = push;
    const { maxRelayedBytesPerSender, maxRelayedBytes } = this.host.limits;
    const bySender = this.relayedBy?.get(sender) ?? 0;
    if (
      (bySender > 0 && bySender + bytes > maxRelayedBytesPerSender) ||
      (this.relayed > 0 && this.relayed + bytes > maxRelayedBytes)
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
      this.host.requestFill(this);
    }
  }
}

// ---- The listeners every socket shares; `this` is the socket (a `HubSocket`).

/** Socket errors (an oversized or malformed frame, a reset) are the client's; `ws` closes the socket. */
export function ignoreSocketError(): void {}

export function onPong(this: WebSocket): void {
  (this as HubSocket).connection.unansweredPing = 0;
}
