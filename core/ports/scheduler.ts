/** @module Deferred work (ring timeouts, typing indicators left unrefreshed), as a port so the core never touches timers. */

/**
 * Runs tasks later, by key.
 *
 * The in-process scheduler runs a task exactly once unless cancelled or
 * replaced first. The cluster's (adapters/redis/scheduler.ts) does so across
 * instances: of the tasks scheduled under one key on any of them, only the
 * last runs, unless cancelled on any of them. Where that cannot be decided
 * (Redis away) a task runs as the in-process scheduler would, possibly next
 * to its replacement or after a cancel elsewhere, and a scheduler that
 * survives its process may run one again after a crash. So every task the
 * core schedules must be harmless run late or twice: the ring timeout is a
 * guarded transition (nothing happens to a call no longer ringing), a typing
 * stop is at worst one more `active: false`. (A scheduler that survives its
 * process cannot carry the closure: it re-derives the work from the key and
 * the stored state, e.g. ringing calls past their `ringDeadline`.)
 */
export interface Scheduler {
  /** Runs `task` once, `delayMs` from now; replaces a task pending under the same `key`. Never throws. */
  schedule(
    key: string,
    delayMs: number,
    task: () => Promise<void>,
    options?: ScheduleOptions,
  ): Promise<void>;
  /** Drops the task pending under `key`, if any. Never throws. */
  cancel(key: string): Promise<void>;
}

export interface ScheduleOptions {
  /**
   * What becomes of the task if its scheduler stops (the process shuts down)
   * before it is due: true runs it then, early; false (the default) drops
   * it. For a task whose promise would otherwise be broken and that is
   * harmless early: a typing stop (the partner would see "typing" until its
   * own client gave up). Not a ring timeout: run early, it would end a call
   * that can still be answered.
   */
  readonly runAtShutdown?: boolean;
}
