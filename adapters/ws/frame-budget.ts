/**
 * @module A connection's frame budget (API.md §7): a token bucket of `burst`
 * frames refilled at `perSecond`. A frame over budget is refused; a client
 * that runs up more than `maxViolations` refusals before its bucket has filled
 * up again is flooding, and is told to go.
 *
 * The rule is worked out once per server and shared; each connection keeps
 * only its three counters in a small object (no closures), since a server
 * holds tens of thousands of mostly idle connections.
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

export const DEFAULT_FRAME_BURST = 100;
export const DEFAULT_FRAMES_PER_SECOND = 50;

/** The budget every connection of a server gets, with the defaults filled in. */
export interface FrameBudgetRule {
  readonly burst: number;
  /** Tokens regained per millisecond. */
  readonly perMs: number;
  readonly maxViolations: number;
}

export function frameBudgetRule(options: FrameBudgetOptions = {}): FrameBudgetRule {
  const burst = options.burst ?? DEFAULT_FRAME_BURST;
  return {
    burst,
    perMs: (options.perSecond ?? DEFAULT_FRAMES_PER_SECOND) / 1000,
    maxViolations: options.maxViolations ?? burst,
  };
}

/** One connection's bucket under a shared rule. */
export class FrameBudget {
  private tokens: number;
  private last: number | undefined;
  private violations = 0;

  constructor(private readonly rule: FrameBudgetRule) {
    this.tokens = rule.burst;
  }

  /** Spends one frame of budget at time `nowMs` (any monotonic millisecond clock). */
  take(nowMs: number): FrameVerdict {
    const { burst, perMs, maxViolations } = this.rule;
    const elapsed = this.last === undefined ? 0 : Math.max(0, nowMs - this.last);
    this.last = nowMs;
    this.tokens = Math.min(burst, this.tokens + elapsed * perMs);
    // A client whose budget recovered completely has stopped flooding.
    if (this.tokens >= burst) this.violations = 0;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'accept';
    }
    this.violations += 1;
    return this.violations > maxViolations ? 'close' : 'refuse';
  }
}

/** A bucket with a rule of its own. */
export function createFrameBudget(options: FrameBudgetOptions = {}): FrameBudget {
  return new FrameBudget(frameBudgetRule(options));
}
