/**
 * @module Ended sessions announced within this process: every listener (the
 * WebSocket hub closing sockets, the token service forgetting tokens) hears
 * each announcement. The Redis backplane adds the other instances and builds
 * on this, so it lives where every adapter may import it.
 */
import type { EndedSession, SessionEvents } from '../../core/index.js';

export type EndedSessionsListener = (sessions: readonly EndedSession[]) => void;

export interface LocalSessionEvents extends SessionEvents {
  /** Calls `listener` for every announcement until the returned function is called. */
  onEnded(listener: EndedSessionsListener): () => void;
  /** Runs the listeners for sessions announced elsewhere (another instance). */
  deliver(sessions: readonly EndedSession[]): void;
  /**
   * True while every announcement, made on any instance, reaches this
   * instance's listeners: always within one process; across instances only
   * while the channel that carries them is subscribed.
   */
  isListening(): boolean;
  /** Calls `listener` whenever `isListening` changes, until the returned function is called. */
  onListeningChange(listener: (listening: boolean) => void): () => void;
}

export function createMemorySessionEvents(): LocalSessionEvents {
  const listeners = new Set<EndedSessionsListener>();
  const deliver = (sessions: readonly EndedSession[]) => {
    if (sessions.length === 0) return;
    for (const listener of listeners) {
      try {
        listener(sessions);
      } catch {
        // One listener's failure must not keep the others from hearing it.
      }
    }
  };
  return {
    async ended(sessions) {
      deliver(sessions);
    },
    deliver,
    onEnded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isListening: () => true,
    onListeningChange: () => () => {},
  };
}
