/**
 * @module In-process scheduler on `setTimeout` (so `vi.useFakeTimers()`
 * drives it). A task runs exactly once unless cancelled or replaced first,
 * or dropped by `close` (which runs those marked `runAtShutdown` instead).
 */
import type { Scheduler } from '../../core/index.js';

export interface TimerSchedulerOptions {
  /** Receives a task's failure. Default: `console.error`. */
  readonly onError?: (error: unknown, key: string) => void;
}

export interface TimerScheduler extends Scheduler {
  /** Number of tasks waiting to run. */
  pending(): number;
  /**
   * At shutdown: runs now every pending task marked `runAtShutdown`, drops
   * the others, and resolves once those run have finished (a failure goes
   * to `onError`). Later `schedule` calls are ignored.
   */
  close(): Promise<void>;
}

interface Pending {
  readonly timer: ReturnType<typeof setTimeout>;
  readonly task: () => Promise<void>;
  readonly runAtShutdown: boolean;
}

/** Pending timers do not keep the process alive. */
export function createTimerScheduler(options: TimerSchedulerOptions = {}): TimerScheduler {
  const onError =
    options.onError ??
    ((error: unknown, key: string) => console.error(`Scheduled task ${key} failed`, error));
  const pending = new Map<string, Pending>();
  let closed = false;
  const run = (key: string, task: () => Promise<void>) =>
    task().catch((error: unknown) => onError(error, key));

  return {
    async schedule(key, delayMs, task, scheduleOptions) {
      if (closed) return;
      const previous = pending.get(key);
      if (previous !== undefined) clearTimeout(previous.timer);
      const timer = setTimeout(() => {
        if (pending.get(key)?.timer === timer) pending.delete(key);
        void run(key, task);
      }, delayMs);
      timer.unref?.();
      pending.set(key, { timer, task, runAtShutdown: scheduleOptions?.runAtShutdown === true });
    },
    async cancel(key) {
      const entry = pending.get(key);
      if (entry === undefined) return;
      clearTimeout(entry.timer);
      pending.delete(key);
    },
    pending() {
      return pending.size;
    },
    async close() {
      closed = true;
      const due: Promise<void>[] = [];
      for (const [key, entry] of pending) {
        clearTimeout(entry.timer);
        if (entry.runAtShutdown) due.push(run(key, entry.task));
      }
      pending.clear();
      await Promise.all(due);
    },
  };
}
