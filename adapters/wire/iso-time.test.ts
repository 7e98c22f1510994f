import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.js';

const native = (ms: number) => new Date(ms).toISOString();

describe('isoTime', () => {
  it('writes what toISOString writes at the edges of days, months, leap years and centuries', () => {
    const instants = [
      0,
      1,
      999,
      86_399_999,
      Date.UTC(2000, 1, 28, 23, 59, 59, 999), // 2000 is a leap year (divisible by 400)
      Date.UTC(2000, 1, 29),
      Date.UTC(2000, 2, 1),
      Date.UTC(2100, 1, 28, 12), // 2100 is not (divisible by 100)
      Date.UTC(2100, 2, 1),
      Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      Date.UTC(2025, 0, 1),
      Date.UTC(2026, 10, 24, 19, 9, 41, 123),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ];
    for (const ms of instants) expect(isoTime(ms)).toBe(native(ms));
  });

  it('writes what toISOString writes for any millisecond of 1970–9999', () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 200_000; i++) {
      const ms = Math.floor(Math.random() * (last + 1));
      if (isoTime(ms) !== native(ms)) expect(isoTime(ms)).toBe(native(ms));
    }
  });

  it('hands years before 1970 and after 9999, and fractions, to toISOString', () => {
    for (const ms of [
      -1,
      Date.UTC(1969, 11, 31),
      Date.UTC(-5, 0, 1),
      Date.UTC(10_000, 0, 1),
      1.5,
    ]) {
      expect(isoTime(ms)).toBe(native(ms));
    }
  });

  it('throws toISOString’s RangeError for a time that is not one', () => {
    for (const ms of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1]) {
      expect(() => isoTime(ms)).toThrow(RangeError);
    }
  });
});
