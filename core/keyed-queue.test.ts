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
});
