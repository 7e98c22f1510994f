/** @module The system clock. */
import type { Clock } from '../../core/index.js';

export function createSystemClock(): Clock {
  return { now: () => new Date() };
}

/** A clock that stands still until told to move; for tests. */
export function createFixedClock(start = new Date('2026-01-01T00:00:00.000Z')): Clock & {
  advance(ms: number): void;
  set(at: Date): void;
} {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    set(at) {
      now = at.getTime();
    },
  };
}
