/**
 * @module A connection's frame budget (API.md §7): a token bucket of `burst`
 * frames refilled at `perSecond`. A frame over budget is refused; a client
 * that runs up more than `maxViolations` refusals before its bucket has filled
 * up again is flooding, and is told to go.
 */

export interface FrameBudgetOptions {
  /** Frames a client may send at once (the bucket's size). Default 100. */
  readonly burst?: number;
  /** Frames per second a client may send sustained (the refill rate). Default 50. */
  readonly perSecond?: number;
  /** Refused frames tolerated before the bucket is full again. Default: `burst`. */
  readonly maxViolations?: number;
}

/** What a frame is allowed: handled, refused (answer `RATE_LIMITED`), or the end (close 1008). */
export type FrameVerdict = 'accept' | 'refuse' | 'close';

export interface FrameBudget {
  /** Spends one frame of budget at time `nowMs` (any monotonic millisecond clock). */
  take(nowMs: number): FrameVerdict;
}

export const DEFAULT_FRAME_BURST = 100;
export const DEFAULT_FRAMES_PER_SECOND = 50;

export function createFrameBudget(options: FrameBudgetOptions = {}): FrameBudget {
  const burst = options.burst ?? DEFAULT_FRAME_BURST;
  const perMs = (options.perSecond ?? DEFAULT_FRAMES_PER_SECOND) / 1000;
  const maxViolations = options.maxViolations ?? burst;
  let tokens = burst;
  let last: number | undefined;
  let violations = 0;

  return {
    take(nowMs) {
      const elapsed = last === undefined ? 0 : Math.max(0, nowMs - last);
      last = nowMs;
      tokens = Math.min(burst, tokens + elapsed * perMs);
      // A client whose budget recovered completely has stopped flooding.
      if (tokens >= burst) violations = 0;
      if (tokens >= 1) {
        tokens -= 1;
        return 'accept';
      }
      violations += 1;
      return violations > maxViolations ? 'close' : 'refuse';
    },
  };
}
