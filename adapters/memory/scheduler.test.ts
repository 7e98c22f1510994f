import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTimerScheduler } from './scheduler.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createTimerScheduler', () => {
  it('runs a task once, after its delay', async () => {
    const scheduler = createTimerScheduler();
    const task = vi.fn(async () => {});
    await scheduler.schedule('k', 1_000, task);
    await vi.advanceTimersByTimeAsync(999);
    expect(task).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(1);
    expect(scheduler.pending()).toBe(0);
  });

  it('drops a cancelled task; cancelling an unknown or finished key is a no-op', async () => {
    const scheduler = createTimerScheduler();
    const task = vi.fn(async () => {});
    await scheduler.schedule('k', 1_000, task);
    await scheduler.cancel('k');
    await scheduler.cancel('k');
    await scheduler.cancel('other');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).not.toHaveBeenCalled();
  });

  it('replaces a task scheduled under the same key', async () => {
    const scheduler = createTimerScheduler();
    const first = vi.fn(async () => {});
    const second = vi.fn(async () => {});
    await scheduler.schedule('k', 1_000, first);
    await scheduler.schedule('k', 2_000, second);
    expect(scheduler.pending()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('reports a failing task and keeps running others', async () => {
    const failures: [unknown, string][] = [];
    const scheduler = createTimerScheduler({
      onError: (error, key) => failures.push([error, key]),
    });
    const boom = new Error('boom');
    const other = vi.fn(async () => {});
    await scheduler.schedule('bad', 10, async () => {
      throw boom;
    });
    await scheduler.schedule('good', 20, other);
    await vi.advanceTimersByTimeAsync(100);
    expect(failures).toEqual([[boom, 'bad']]);
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('on close runs the tasks marked runAtShutdown at once, drops the others and ignores later schedules', async () => {
    const scheduler = createTimerScheduler();
    const ran: string[] = [];
    const task = (name: string) => async () => {
      await Promise.resolve();
      ran.push(name);
    };
    await scheduler.schedule('typing', 6_000, task('typing stop'), { runAtShutdown: true });
    await scheduler.schedule('ring', 6_000, task('ring timeout'));
    await scheduler.schedule('replaced', 6_000, task('first'), { runAtShutdown: true });
    await scheduler.schedule('replaced', 6_000, task('second'));
    await scheduler.schedule('cancelled', 6_000, task('cancelled'), { runAtShutdown: true });
    await scheduler.cancel('cancelled');
    await scheduler.close();
    expect(ran).toEqual(['typing stop']);
    expect(scheduler.pending()).toBe(0);
    await scheduler.schedule('after', 10, task('after close'), { runAtShutdown: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ran).toEqual(['typing stop']);
    expect(scheduler.pending()).toBe(0);
  });

  it('reports a task that fails when run at close, and close still resolves', async () => {
    const failures: [unknown, string][] = [];
    const scheduler = createTimerScheduler({
      onError: (error, key) => failures.push([error, key]),
    });
    const boom = new Error('boom');
    await scheduler.schedule(
      'bad',
      1_000,
      async () => {
        throw boom;
      },
      { runAtShutdown: true },
    );
    await scheduler.close();
    expect(failures).toEqual([[boom, 'bad']]);
  });
});
