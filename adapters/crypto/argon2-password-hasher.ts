/**
 * @module argon2id password hashing with OWASP's parameters on a small pool of
 * low-priority worker threads (piscina), bounded so that a burst of logins
 * can neither run unbounded hashes at once (19 MiB each) nor delay the event
 * loop.
 *
 * Why threads of its own rather than @node-rs/argon2's async calls: those run
 * on libuv's thread pool at the event loop's priority. With the server on one
 * core (as deployed and benchmarked), the pool thread that a `verify()` call
 * wakes preempts the event loop inside that very call (the CPU profile showed
 * it as 15 % self time of the call), and during a burst of logins two hashing
 * threads share the core with the event loop as equals, so every socket frame
 * waits its turn behind them. Here each hash runs synchronously on a worker
 * thread whose nice value piscina raised (`niceIncrement`, per thread on
 * Linux): the event loop gets the core whenever it has work, and hashes use
 * what is left over, which on an idle server is all of it. Jobs beyond the
 * number of threads wait in piscina's queue.
 */
import { Piscina } from 'piscina';
import type { PasswordHasher } from '../../core/index.js';

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = {
  // @node-rs/argon2's default algorithm is argon2id; its `Algorithm` is an ambient
  // const enum, which isolated modules cannot read, so the default is relied on
  // and asserted by the tests (the hash starts with `$argon2id$`).
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface Argon2PasswordHasherOptions {
  /** Hashing threads, so also hashes computed at once; the rest queue. Default 2. */
  readonly maxConcurrent?: number;
  /**
   * How much lower than the event loop's the hashing threads' priority is
   * (nice increment; 0 = the same, 19 = lowest). Default 19: a login waits
   * only while the event loop is busy.
   */
  readonly threadNiceness?: number;
}

/** The hasher, with its queue's state for metrics and tests. */
export interface Argon2PasswordHasher extends PasswordHasher {
  /** Hashes running now (at most `maxConcurrent`). */
  readonly active: number;
  /** Hashes waiting for a thread. */
  readonly pending: number;
  /** Ends the threads; queued and running hashes reject. */
  close(): Promise<void>;
}

/** A thread's task (argon2-thread.mjs). */
type Argon2Job =
  | { readonly op: 'hash'; readonly password: string }
  | { readonly op: 'verify'; readonly hashed: string; readonly password: string };

const THREAD_FILE = new URL('./argon2-thread.mjs', import.meta.url).href;

/**
 * Creates the hasher. Resolves once every thread is up and has hashed once
 * (so the first logins do not pay for starting them); the first of those
 * hashes is the one `verifyNothing` checks against, so an unknown phone costs
 * what a wrong password costs.
 */
export async function createArgon2PasswordHasher(
  options: Argon2PasswordHasherOptions = {},
): Promise<Argon2PasswordHasher> {
  const threads = options.maxConcurrent ?? 2;
  const pool = new Piscina({
    filename: THREAD_FILE,
    minThreads: threads,
    maxThreads: threads,
    // One hash per thread at a time; idle threads stay (no restart cost per login).
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    niceIncrement: options.threadNiceness ?? 19,
    // No wait/run-time histograms: nothing reads them, and recording costs the
    // event loop a little on every hash.
    recordTiming: false,
    workerData: { options: ARGON2_OPTIONS },
  });
  /** Hashes handed to the pool and not settled: running or in its queue. */
  let inFlight = 0;
  let closed = false;
  const closedError = (cause?: unknown) =>
    new Error('The password hasher is closed.', cause === undefined ? undefined : { cause });

  const run = async (job: Argon2Job): Promise<string | boolean> => {
    if (closed) throw closedError();
    inFlight += 1;
    try {
      return (await pool.run(job)) as string | boolean;
    } catch (error) {
      // close() ends the threads under running and queued hashes: say why they failed.
      throw closed ? closedError(error) : error;
    } finally {
      inFlight -= 1;
    }
  };
  const close = async () => {
    closed = true;
    await pool.destroy();
  };
  const hash = async (password: string) => (await run({ op: 'hash', password })) as string;
  const verify = async (hashed: string, password: string) =>
    (await run({ op: 'verify', hashed, password })) as boolean;

  const [dummyHash] = await Promise.all(
    Array.from({ length: threads }, (_, i) =>
      hash(i === 0 ? 'no user has this password' : 'warm up this thread'),
    ),
  ).catch(async (error: unknown) => {
    await close();
    throw error;
  });

  return {
    get active() {
      return inFlight - pool.queueSize;
    },
    get pending() {
      return pool.queueSize;
    },
    hash,
    verify,
    async verifyNothing(password) {
      await verify(dummyHash!, password);
      return false;
    },
    close,
  };
}
