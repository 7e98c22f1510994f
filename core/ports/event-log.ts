/** @module Each user's log of the events they must not miss (docs/API.md "Sync"). */
import type { LoggedEvent, SyncEvent, UserId } from '../model.js';

/**
 * A per-user sequence of events.
 *
 * Guarantees, under any number of concurrent writers (processes included):
 * - `append` gives each event of a user a distinct `seq`, strictly above every
 *   `seq` of that user already logged, starting at 1.
 * - No holes: an event gets `seq` n + 1 only once the event n is durable and
 *   readable, so whoever reads n + 1 can read n. A reader that still sees a
 *   hole (a read racing a write) must stop before it: it is filled, never
 *   skipped (the use cases take the contiguous prefix, read-events.ts).
 * - `prune` never removes a user's newest event, so `seq` never starts over
 *   (only `removeAll`, for an account that is gone, does).
 */
export interface EventLog {
  /** Logs `event` for `userId` at time `at` under the next `seq`; durable when it resolves. */
  append(userId: UserId, event: SyncEvent, at: Date): Promise<LoggedEvent>;
  /** Up to `limit` events of `userId` with `seq` > `since`, ascending. */
  readAfter(userId: UserId, since: number, limit: number): Promise<LoggedEvent[]>;
  /** The highest `seq` of `userId`, 0 when none was logged. */
  head(userId: UserId): Promise<number>;
  /** Deletes `userId`'s events logged before `before` whose `seq` is below `belowSeq`. */
  prune(userId: UserId, before: Date, belowSeq: number): Promise<void>;
  /** Deletes every event of `userId` (a deleted account); idempotent. */
  removeAll(userId: UserId): Promise<void>;
}
