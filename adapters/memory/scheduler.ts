/**
 * @module In-process scheduler on `setTimeout` (so `vi.useFakeTimers()`
 * drives it). A task runs exactly once unless cancelled or replaced first.
 */
import type { Scheduler } from '../../core/index.js';

export interface TimerSchedulerOptions {
  /** Receives a task's failure. Default: `console.error`. */
  readonly onError?: (error: unknown, key: string) => void;
}

export interface TimerScheduler extends Scheduler {
  /** Number of tasks waiting to run. */
  pending(): number;
  /** Drops every pending task (at shutdown). */
  cancelAll(): void;
}

/** Pending timers do not keep the process alive. */
export function createTimerScheduler(options: TimerSchedulerOptions = {}): TimerScheduler {
  const onError =
    options.onError ??
    ((error: unknown, key: string) => console.error(`Scheduled task ${key} failed`, error));
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  return {
    async schedule(key, delayMs, task) {
      const previous = timers.get(key);
      if (previous !== undefined) clearTimeout(previous);
      const timer = setTimeout(() => {
        if (timers.get(key) === timer) timers.delete(key);
        task().catch((error: unknown) => onError(error, key));
      }, delayMs);
      timer.unref?.();
      timers.set(key, timer);
    },
    async cancel(key) {
      const timer = timers.get(key);
      if (timer === undefined) return;
      clearTimeout(timer);
      timers.delete(key);
    },
    pending() {
      return timers.size;
    },
    cancelAll() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
