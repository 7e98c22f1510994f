import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyedQueue } from './keyed-queue.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const later = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('createKeyedQueue', () => {
  it('runs the tasks of one key one after another, in the order they were queued', async () => {
    const queue = createKeyedQueue();
    const done: number[] = [];
    const all = [300, 200, 100, 0].map((ms, i) =>
      queue.run('k', async () => {
        await later(ms, null);
        done.push(i);
        return i;
      }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3]);
    expect(done).toEqual([0, 1, 2, 3]);
  });

  it('runs tasks of different keys concurrently', async () => {
    const queue = createKeyedQueue();
    const done: string[] = [];
    const slow = queue.run('a', async () => {
      await later(100, null);
      done.push('a');
    });
    const fast = queue.run('b', async () => {
      done.push('b');
    });
    await fast;
    expect(done).toEqual(['b']);
    await vi.advanceTimersByTimeAsync(100);
    await slow;
    expect(done).toEqual(['b', 'a']);
  });

  it('goes on after a failing task and hands each caller its own outcome', async () => {
    const queue = createKeyedQueue();
    const failing = queue.run('k', async () => {
      throw new Error('boom');
    });
    const next = queue.run('k', async () => 'ok');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });

  it('settles once everything queued so far has settled', async () => {
    const queue = createKeyedQueue();
    let finished = 0;
    for (const key of ['a', 'b', 'a']) {
      void queue.run(key, async () => {
        await later(50, null);
        finished += 1;
      });
    }
    const settled = queue.settled().then(() => finished);
    await vi.advanceTimersByTimeAsync(200);
    expect(await settled).toBe(3);
    await expect(queue.settled()).resolves.toBeUndefined();
  });

  it('starts a task under an idle key before run returns, and one behind a busy key only after it', async () => {
    const queue = createKeyedQueue();
    const started: string[] = [];
    const first = queue.run('k', async () => {
      started.push('first');
      await later(10, null);
    });
    const second = queue.run('k', async () => {
      started.push('second');
    });
    expect(started).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all([first, second]);
    expect(started).toEqual(['first', 'second']);
  });

  it('turns a task that throws before returning a promise into a rejection, and goes on', async () => {
    const queue = createKeyedQueue();
    const throwing = queue.run('k', (() => {
      throw new Error('sync boom');
    }) as () => Promise<never>);
    await expect(throwing).rejects.toThrow('sync boom');
    await expect(queue.run('k', async () => 'after')).resolves.toBe('after');
    await expect(queue.settled()).resolves.toBeUndefined();
  });
});
