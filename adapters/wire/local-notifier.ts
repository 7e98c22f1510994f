/**
 * @module The connection registry and in-process notifier: this process's
 * live connections per user, and the `Notifier` that turns each notification
 * into a finished frame (serialized once, `push.ts`) and hands it to them.
 * What lies beyond the process is a pluggable fan-out, the idea of
 * socket.io's `ClusterAdapter`: local delivery here, publication to other
 * instances by whoever supplies the `FanOut` (adapters/redis/notifier.ts),
 * which hands what arrives from them back to `deliver`. It lives where every
 * adapter may import it.
 */
import type { Notification, Notifier, NotifyOptions, UserId } from '../../core/index.js';
import { type Push, pushOf } from './push.js';

/**
 * A live connection's mailbox. `passedBy` is set for a logged push (one with
 * a `seq`) that this connection must not get (`exceptConnectionId`: the
 * device it came from): it still learns the `seq` went by, so that it does
 * not take it for a hole to fill (adapters/ws/connection.ts).
 */
export type PushListener = (push: Push, passedBy?: true) => void;

/** Where live connections register for pushes: the WebSocket hub's view of the notifier. */
export interface ConnectionRegistry {
  /** Registers a connection of `userId`; returns the function that removes it (idempotent). */
  subscribe(userId: UserId, connectionId: string, listener: PushListener): () => void;
  /**
   * A clustered registry starts listening for `userId`'s pushes from other
   * instances and resolves once it does; the hub sends `ready` after that,
   * then calls the returned function.
   */
  listen?(userId: UserId): Promise<() => void>;
}

/** A notifier and the registry its pushes are delivered through. */
export interface MemoryNotifier extends Notifier, ConnectionRegistry {}

/** Publication beyond this process; pushes are passed finished, routing fields beside the text. */
export interface FanOut {
  /** To `userId`'s connections on other instances, but `except`. */
  publish(userId: UserId, push: Push, except: string | undefined): void;
  /** To connection `connectionId` of `userId`, which is not in this process. */
  publishTo(userId: UserId, connectionId: string, push: Push): void;
  /** The first connection of `userId` registered here (from now on, pushes to them are wanted). */
  joined(userId: UserId): void;
  /** The last connection of `userId` here left. */
  left(userId: UserId): void;
}

/** The registry with its inbound side: pushes that arrive from other instances. */
export interface LocalNotifier extends MemoryNotifier {
  /** To this process's connections of `userId`, but `except`. */
  deliver(userId: UserId, push: Push, except: string | undefined): void;
  /** To connection `connectionId` of `userId`, when it is in this process. */
  deliverTo(userId: UserId, connectionId: string, push: Push): void;
}

/** The single-instance case, or, with a `fanOut`, the local half of a clustered one. */
export function createMemoryNotifier(fanOut?: FanOut): LocalNotifier {
  const listeners = new Map<UserId, Map<string, PushListener>>();

  /**
   * The last push built. A notification to several users (every presence
   * subscriber) comes one user after another as the same object, and is
   * serialized once.
   */
  let lastNotification: Notification | undefined;
  let lastPush: Push | undefined;
  const cachedPushOf = (notification: Notification): Push => {
    if (lastNotification !== notification || lastPush === undefined) {
      lastPush = pushOf(notification);
      lastNotification = notification;
    }
    return lastPush;
  };

  const deliver = (userId: UserId, push: Push, except: string | undefined): void => {
    const mine = listeners.get(userId);
    if (mine === undefined) return;
    // The live map, not a copy: a connection unsubscribed meanwhile is skipped.
    const logged = push.seq !== undefined;
    for (const [connectionId, listener] of mine) {
      if (connectionId !== except) listener(push);
      else if (logged) listener(push, true);
    }
  };

  return {
    async notify(userId: UserId, notification: Notification, options?: NotifyOptions) {
      if (fanOut === undefined && !listeners.has(userId)) return;
      const push = cachedPushOf(notification);
      const except = options?.exceptConnectionId;
      deliver(userId, push, except);
      fanOut?.publish(userId, push, except);
    },
    async notifyConnection(userId: UserId, connectionId: string, notification: Notification) {
      const listener = listeners.get(userId)?.get(connectionId);
      if (listener !== undefined) listener(cachedPushOf(notification));
      else fanOut?.publishTo(userId, connectionId, cachedPushOf(notification));
    },
    deliver,
    deliverTo(userId, connectionId, push) {
      listeners.get(userId)?.get(connectionId)?.(push);
    },
    subscribe(userId, connectionId, listener) {
      let mine = listeners.get(userId);
      if (mine === undefined) {
        mine = new Map();
        listeners.set(userId, mine);
        fanOut?.joined(userId);
      }
      mine.set(connectionId, listener);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        const current = listeners.get(userId);
        if (current?.get(connectionId) === listener) current.delete(connectionId);
        if (current?.size === 0) {
          listeners.delete(userId);
          fanOut?.left(userId);
        }
      };
    },
  };
}
