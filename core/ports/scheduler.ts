/** @module Deferred work (the ring timeout), as a port so the core never touches timers. */

/**
 * Runs tasks later, by key.
 *
 * The in-process scheduler runs a task exactly once unless cancelled first. A
 * cluster-wide one may not be able to take a task back in time, and may run
 * it again after a crash, so every task the core schedules is itself a
 * guarded transition: running it late, twice or after `cancel` changes
 * nothing. (A scheduler that survives its process cannot carry the closure:
 * it re-derives the work from the key and the stored state, e.g. ringing
 * calls past their `ringDeadline`.)
 */
export interface Scheduler {
  /** Runs `task` once, `delayMs` from now; replaces a task pending under the same `key`. */
  schedule(key: string, delayMs: number, task: () => Promise<void>): Promise<void>;
  /** Drops the task pending under `key`, if any. */
  cancel(key: string): Promise<void>;
}
