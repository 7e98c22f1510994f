import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryQueue } from './expiry-queue.js';

interface Item {
  readonly name: string;
  readonly expiresAt: number;
  expiryIndex: number;
}

const item = (name: string, expiresAt: number): Item => ({ name, expiresAt, expiryIndex: -1 });

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recordingQueue() {
  const expired: [string, number][] = [];
  const queue = new ExpiryQueue<Item>(
    () => Date.now(),
    (it) => expired.push([it.name, Date.now()]),
  );
  return { queue, expired };
}

describe('ExpiryQueue', () => {
  it('expires each item at its own deadline, whatever order they came in', async () => {
    const { queue, expired } = recordingQueue();
    for (const [name, at] of [
      ['c', 300],
      ['a', 100],
      ['d', 400],
      ['b', 200],
    ] as const) {
      queue.add(item(name, at));
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(expired).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
      ['d', 400],
    ]);
    expect(queue.size).toBe(0);
  });

  it('never expires a removed item, and the others stay on time', async () => {
    const { queue, expired } = recordingQueue();
    const first = item('first', 100);
    queue.add(first);
    queue.add(item('second', 200));
    queue.remove(first);
    queue.remove(first);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(expired).toEqual([['second', 200]]);
    expect(first.expiryIndex).toBe(-1);
  });

  it('moves its timer earlier when an earlier deadline arrives', async () => {
    const { queue, expired } = recordingQueue();
    queue.add(item('late', 500));
    queue.add(item('early', 50));
    await vi.advanceTimersByTimeAsync(60);
    expect(expired).toEqual([['early', 50]]);
  });

  it('expires at once an item whose deadline has passed', async () => {
    const { queue, expired } = recordingQueue();
    vi.setSystemTime(1_000);
    queue.add(item('stale', 10));
    await vi.advanceTimersByTimeAsync(0);
    expect(expired).toEqual([['stale', 1_000]]);
  });

  it('waits out deadlines beyond the longest timer in steps', async () => {
    const { queue, expired } = recordingQueue();
    const far = 3 * 2 ** 31;
    queue.add(item('far', far));
    await vi.advanceTimersByTimeAsync(far - 1);
    expect(expired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toEqual([['far', far]]);
  });

  it('expires nothing once cleared, and holds no timer', async () => {
    const { queue, expired } = recordingQueue();
    queue.add(item('a', 100));
    queue.clear();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(expired).toEqual([]);
  });

  it('expires exactly the items left, in deadline order, after any adds and removes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.boolean()), { maxLength: 60 }),
        (plan) => {
          const expired: Item[] = [];
          const queue = new ExpiryQueue<Item>(
            () => 2_000,
            (it) => expired.push(it),
          );
          const items = plan.map(([at], i) => item(String(i), at));
          for (const it of items) queue.add(it);
          const kept = items.filter((_, i) => !plan[i]?.[1]);
          for (const [i, it] of items.entries()) if (plan[i]?.[1]) queue.remove(it);
          vi.runOnlyPendingTimers();
          const deadlines = expired.map((it) => it.expiresAt);
          expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
          expect(new Set(expired)).toEqual(new Set(kept));
        },
      ),
    );
  });
});
