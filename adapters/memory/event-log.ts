/**
 * @module Each user's event log in this process's memory. Appends and reads
 * of one process interleave only between calls, so `seq` is the list's
 * length plus what was pruned: allocated and stored in one step, never a hole.
 */
import {
  type EventLog,
  type LoggedEvent,
  type SyncEvent,
  type UserId,
  withFields,
} from '../../core/index.js';

/**
 * An entry as kept: its time as a number, which takes 16 bytes of heap where a
 * `Date` takes 112; the log holds two entries per message for the retention.
 */
interface StoredEvent {
  readonly event: SyncEvent;
  readonly seq: number;
  readonly atMs: number;
}

const loggedEvent = (event: SyncEvent, seq: number, at: Date) =>
  withFields(event, { seq, at }) as LoggedEvent;

interface UserLog {
  /** Oldest first; `events[i].seq === first + i`. */
  events: StoredEvent[];
  /** The `seq` of `events[0]` (the next seq when empty). */
  first: number;
}

export function createMemoryEventLog(): EventLog {
  const logs = new Map<UserId, UserLog>();

  return {
    async append(userId, event, at) {
      let log = logs.get(userId);
      if (!log) {
        log = { events: [], first: 1 };
        logs.set(userId, log);
      }
      const seq = log.first + log.events.length;
      log.events.push({ event, seq, atMs: at.getTime() });
      return loggedEvent(event, seq, at);
    },
    async readAfter(userId, since, limit) {
      const log = logs.get(userId);
      if (!log || limit <= 0) return [];
      const from = Math.max(0, since + 1 - log.first);
      return log.events
        .slice(from, from + limit)
        .map((stored) => loggedEvent(stored.event, stored.seq, new Date(stored.atMs)));
    },
    async head(userId) {
      const log = logs.get(userId);
      return log ? log.first + log.events.length - 1 : 0;
    },
    async prune(userId, before, belowSeq) {
      const log = logs.get(userId);
      if (!log) return;
      let drop = 0;
      // Never the newest: `seq` goes on from it.
      while (
        drop < log.events.length - 1 &&
        log.events[drop]!.seq < belowSeq &&
        log.events[drop]!.atMs < before.getTime()
      ) {
        drop++;
      }
      log.events.splice(0, drop);
      log.first += drop;
    },
    async removeAll(userId) {
      logs.delete(userId);
    },
  };
}
