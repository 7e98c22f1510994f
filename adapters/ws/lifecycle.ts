/**
 * @module A connection's life, hooked onto the core: on open it subscribes
 * to its user's pushes (after a clustered registry listens), sends `ready`
 * with its position in the event log, replays the log after `?since=`,
 * joins presence and rings a call pending for the user; on close it leaves
 * presence, then the calls (`connectionClosed`). Each step runs in the
 * connection's own queue, in that order.
 *
 * Logged pushes that come early are held, and what is missing before them
 * is read from the log (`fill`), where it exists already: the log makes n
 * readable before n + 1 exists. A connection opened with `?since=` (or sent
 * `sync { since }`) first gets the logged events after `since`, then
 * `sync-done`; live pushes meanwhile are held and follow.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import {
  connectionClosed,
  connectionOpened,
  type Deps,
  deliverPendingCall,
  MAX_READ_LIMIT,
  MAX_SYNC_LIMIT,
  presenceConnectionClosed,
  readEvents,
  type SessionId,
  type User,
} from '../../core/index.js';
import type { ConnectionRegistry } from '../wire/local-notifier.js';
import { pushOf } from '../wire/push.js';
import {
  Connection,
  type ConnectionHost,
  type Held,
  type HubSocket,
  ignoreSocketError,
  onPong,
  type Step,
} from './connection.js';
import { onMessage } from './dispatch.js';
import { FrameBudget, type FrameBudgetRule } from './frame-budget.js';
import { CLOSE_CODES, readyFrame, syncDoneFrame, syncResetFrame } from './protocol.js';

/** Who an admitted upgrade is (admission.ts). */
export interface Admitted {
  readonly user: User;
  readonly session: { readonly id: SessionId };
  readonly expiresAt: Date;
  /** `?since=`: replay the log after it before going live. */
  readonly since: number | undefined;
}

/** A replay looks whether the socket drained every this many frames. */
const REPLAY_CHECK_EVERY = 64;
/** How long to wait before looking at the log again for an event still missing. */
const REFILL_DELAY_MS = 50;

export interface LifecycleInit {
  readonly deps: Deps;
  readonly registry: ConnectionRegistry;
  /** Shared by every connection; its `requestFill` and `replay` are this lifecycle's. */
  readonly host: ConnectionHost;
  readonly budgetRule: FrameBudgetRule | null;
}

export interface Lifecycle {
  /** The connections open now. */
  readonly live: ReadonlySet<Connection>;
  /** Starts the life of an admitted socket. */
  open(socket: HubSocket, admitted: Admitted): void;
  requestFill(connection: Connection): void;
  replay(connection: Connection, since: number): Promise<void>;
  /** Resolves once no connection is open or being cleaned up. */
  whenQuiet(): Promise<void>;
}

export function createLifecycle(init: LifecycleInit): Lifecycle {
  const { deps, registry, host, budgetRule } = init;
  const { logger } = host;
  const live = new Set<Connection>();
  /** Closed connections whose presence and call cleanup has not finished. */
  let cleaning = 0;
  /** Called once no connection is open or being cleaned up, while `whenQuiet()` waits for that. */
  let onQuiet: (() => void) | undefined;

  function open(socket: HubSocket, admitted: Admitted): void {
    const connection = new Connection(
      host,
      socket,
      admitted.user.id,
      randomUUID(),
      admitted.session.id,
      admitted.expiresAt.getTime(),
      budgetRule === null ? null : new FrameBudget(budgetRule),
      admitted.since,
    );
    socket.connection = connection;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.on('error', ignoreSocketError);
    live.add(connection);
    host.expiries.add(connection);
    connection.enqueue(registry.listen === undefined ? greet : listenThenGreet);
    connection.enqueue(joinPresence);
    connection.enqueue(ringPending);
  }

  function onClose(this: WebSocket): void {
    const connection = (this as HubSocket).connection;
    connection.closing = true;
    host.expiries.remove(connection);
    connection.unsubscribe?.();
    connection.unsubscribe = undefined;
    live.delete(connection);
    cleaning += 1;
    connection.enqueue(leave);
  }

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
        connection.shut(CLOSE_CODES.tryAgainLater, 'The replay failed; connect again.');
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
    connection.enqueue(fill);
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

  return {
    live,
    open,
    requestFill,
    replay,
    whenQuiet() {
      return new Promise<void>((resolve) => {
        onQuiet = resolve;
        checkQuiet();
      });
    },
  };
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
