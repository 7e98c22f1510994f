/**
 * @module In-process notifier: delivers to listeners registered per user, in
 * this process. The base case the clustered notifier (adapters/redis) builds
 * on, so it lives where every adapter may import it.
 */
import type { Notification, Notifier, NotifyOptions, UserId } from '../../core/index.js';

/**
 * A live connection's mailbox. `passedBy` is set for a logged event (one with
 * a `seq`) that this connection must not get (`exceptConnectionId`: the
 * device it came from): it still learns the `seq` went by, so that it does
 * not take it for a hole to fill (adapters/ws/hub.ts).
 */
export type NotificationListener = (notification: Notification, passedBy?: true) => void;

export interface MemoryNotifier extends Notifier {
  /** Registers a connection of `userId`; returns the function that removes it. */
  subscribe(userId: UserId, connectionId: string, listener: NotificationListener): () => void;
}

/** The single-instance base case; a clustered notifier overrides only publication. */
export function createMemoryNotifier(): MemoryNotifier {
  const listeners = new Map<UserId, Map<string, NotificationListener>>();

  return {
    async notify(userId: UserId, notification: Notification, options?: NotifyOptions) {
      const mine = listeners.get(userId);
      if (!mine) return;
      // The live map, not a copy: a connection unsubscribed meanwhile is skipped.
      const except = options?.exceptConnectionId;
      const logged = 'seq' in notification;
      for (const [connectionId, listener] of mine) {
        if (connectionId !== except) listener(notification);
        else if (logged) listener(notification, true);
      }
    },
    async notifyConnection(userId: UserId, connectionId: string, notification: Notification) {
      listeners.get(userId)?.get(connectionId)?.(notification);
    },
    subscribe(userId, connectionId, listener) {
      let mine = listeners.get(userId);
      if (!mine) {
        mine = new Map();
        listeners.set(userId, mine);
      }
      mine.set(connectionId, listener);
      return () => {
        const current = listeners.get(userId);
        if (current?.get(connectionId) === listener) current.delete(connectionId);
        if (current?.size === 0) listeners.delete(userId);
      };
    },
  };
}
