/**
 * @module Limits on reading request bodies (SECURITY.md): a deadline for
 * reading a whole body, and a cap on large bodies one client address may have
 * in flight at once. A client that starts uploads and stalls pins what it
 * sent so far; without these, Node's own 5-minute request timeout was all that
 * released it.
 *
 * Deadlines are swept by one timer per guard (bodies are read for milliseconds
 * normally; a timer per body would cost every request), which runs only while
 * a body is being read. Every body gets the same deadline, so bodies expire in
 * the order they started and the sweep stops at the first one still in time.
 */
import { RateLimitedError } from '../../core/index.js';

export interface BodyGuardOptions {
  /** How long reading one body may take, in ms. Default 30 s. */
  readonly readTimeoutMs?: number;
  /** Large bodies one address may be sending at once; null: no cap. Default 8. */
  readonly maxLargeBodiesPerAddress?: number | null;
}

export const DEFAULT_BODY_READ_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_LARGE_BODIES_PER_ADDRESS = 8;

/** One body being read. */
export interface BodyRead {
  /** The read is over (read, refused or failed); call exactly once. */
  end(): void;
}

export interface BodyGuard {
  /**
   * Starts watching a body read: `onTimeout` runs once if it is not over
   * within the deadline. A large body counts against `address`'s cap; over it
   * this throws `RateLimitedError` (`429`) before anything is read.
   */
  begin(read: {
    readonly large: boolean;
    readonly address: () => string;
    readonly onTimeout: () => void;
  }): BodyRead;
}

interface Watched {
  readonly deadline: number;
  readonly onTimeout: () => void;
}

export function createBodyGuard(options: BodyGuardOptions = {}): BodyGuard {
  const timeoutMs = options.readTimeoutMs ?? DEFAULT_BODY_READ_TIMEOUT_MS;
  const maxLarge =
    options.maxLargeBodiesPerAddress === undefined
      ? DEFAULT_MAX_LARGE_BODIES_PER_ADDRESS
      : options.maxLargeBodiesPerAddress;
  const sweepEveryMs = Math.max(20, Math.min(1000, Math.floor(timeoutMs / 4)));
  const watched = new Set<Watched>();
  const largeInFlight = new Map<string, number>();
  let sweeper: NodeJS.Timeout | undefined;

  function sweep(): void {
    const now = performance.now();
    for (const entry of watched) {
      if (entry.deadline > now) break;
      watched.delete(entry);
      entry.onTimeout();
    }
    if (watched.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  function releaseLarge(address: string): void {
    const count = (largeInFlight.get(address) ?? 1) - 1;
    if (count <= 0) largeInFlight.delete(address);
    else largeInFlight.set(address, count);
  }

  return {
    begin({ large, address, onTimeout }) {
      let key: string | undefined;
      if (large && maxLarge !== null) {
        key = address();
        const count = largeInFlight.get(key) ?? 0;
        if (count >= maxLarge) {
          throw new RateLimitedError(
            1,
            `At most ${maxLarge} bodies over 64 KiB may be sent at once from one address; retry after the time in Retry-After.`,
          );
        }
        largeInFlight.set(key, count + 1);
      }
      const entry: Watched = { deadline: performance.now() + timeoutMs, onTimeout };
      watched.add(entry);
      if (sweeper === undefined) {
        sweeper = setInterval(sweep, sweepEveryMs);
        sweeper.unref();
      }
      let over = false;
      return {
        end() {
          if (over) return;
          over = true;
          watched.delete(entry);
          if (key !== undefined) releaseLarge(key);
        },
      };
    },
  };
}

/**
 * The client closed the connection before its body was complete. It is the
 * client's doing: the error handler answers nothing it could read (status
 * 499, as nginx logs it) and logs no error; the metrics count it under 499.
 */
export class RequestAbortedError extends Error {
  constructor() {
    super('The client closed the connection before the body was complete.');
    this.name = 'RequestAbortedError';
  }
}
