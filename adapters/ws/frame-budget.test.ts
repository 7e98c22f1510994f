import { describe, expect, it } from 'vitest';
import { createFrameBudget } from './frame-budget.js';

function takeMany(budget: ReturnType<typeof createFrameBudget>, count: number, nowMs: number) {
  return Array.from({ length: count }, () => budget.take(nowMs));
}

describe('createFrameBudget', () => {
  it('accepts a burst, then refuses until tokens flow back', () => {
    const budget = createFrameBudget({ burst: 3, perSecond: 2 });
    expect(takeMany(budget, 4, 0)).toEqual(['accept', 'accept', 'accept', 'refuse']);
    expect(budget.take(499)).toBe('refuse');
    expect(budget.take(500)).toBe('accept');
    expect(budget.take(500)).toBe('refuse');
  });

  it('defaults to bursts of 100 and 50 frames per second', () => {
    const budget = createFrameBudget();
    expect(takeMany(budget, 100, 0).every((v) => v === 'accept')).toBe(true);
    expect(budget.take(0)).toBe('refuse');
    expect(takeMany(budget, 50, 1000).every((v) => v === 'accept')).toBe(true);
    expect(budget.take(1000)).toBe('refuse');
  });

  it('closes a client that goes on past maxViolations refusals', () => {
    const budget = createFrameBudget({ burst: 2, perSecond: 1, maxViolations: 3 });
    expect(takeMany(budget, 6, 0)).toEqual([
      'accept',
      'accept',
      'refuse',
      'refuse',
      'refuse',
      'close',
    ]);
  });

  it('forgives refusals once the bucket has filled up again', () => {
    const budget = createFrameBudget({ burst: 2, perSecond: 1, maxViolations: 2 });
    expect(takeMany(budget, 4, 0)).toEqual(['accept', 'accept', 'refuse', 'refuse']);
    // Two seconds of quiet refill the bucket: the count of violations starts over.
    expect(takeMany(budget, 5, 2000)).toEqual(['accept', 'accept', 'refuse', 'refuse', 'close']);
  });

  it('counts violations across a partial refill', () => {
    const budget = createFrameBudget({ burst: 2, perSecond: 1, maxViolations: 2 });
    expect(takeMany(budget, 4, 0)).toEqual(['accept', 'accept', 'refuse', 'refuse']);
    expect(budget.take(1000)).toBe('accept');
    expect(budget.take(1000)).toBe('close');
  });
});
