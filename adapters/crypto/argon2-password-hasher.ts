/**
 * @module argon2id password hashing with OWASP's parameters on a small pool of
 * low-priority worker threads, bounded so that a burst of logins
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
 * thread that lowered its own priority (`nice`, per thread on Linux): the
 * event loop gets the core whenever it has work, and hashes use what is left
 * over, which on an idle server is all of it. Jobs beyond the number of
 * threads wait in this module's queue.
 *
 * Why a pool of its own rather than piscina's: a hash handed to a piscina
 * thread and back cost the login about 0.35 ms of hand-off on the event
 * loop's core (its task bookkeeping on both sides), a bare worker message
 * each way about 0.15 ms (measured with the server's core otherwise idle,
 * as between the logins of one client). A login is one hash and little
 * else, so that was a visible share of it.
 */
import { Worker } from 'node:worker_threads';
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
  /** The threads' module; default argon2-thread.mjs (tests swap in one that crashes). */
  readonly threadFile?: URL;
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

/** A thread's answer to one task. */
type Argon2Answer = { readonly value: string | boolean } | { readonly error: string };

interface Task {
  readonly job: Argon2Job;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  task: Task | null;
  /** It has answered a task, so it loads and runs: worth replacing if it dies. */
  answered: boolean;
}

const THREAD_FILE = new URL('./argon2-thread.mjs', import.meta.url);

/**
 * Creates the hasher. Resolves once every thread is up and has hashed once
 * (so the first logins do not pay for starting them); the first of those
 * hashes is the one `verifyNothing` checks against, so an unknown phone costs
 * what a wrong password costs.
 */
export async function createArgon2PasswordHasher(
  options: Argon2PasswordHasherOptions = {},
): Promise<Argon2PasswordHasher> {
  const size = options.maxConcurrent ?? 2;
  const threadFile = options.threadFile ?? THREAD_FILE;
  const niceIncrement = options.threadNiceness ?? 19;
  const threads = new Set<Thread>();
  const queue: Task[] = [];
  let closed = false;
  const closedError = (cause?: unknown) =>
    new Error('The password hasher is closed.', cause === undefined ? undefined : { cause });

  const give = (thread: Thread) => {
    const task = queue.shift();
    if (task === undefined) {
      // An idle thread does not keep the process alive.
      thread.worker.unref();
      return;
    }
    thread.task = task;
    thread.worker.ref();
    thread.worker.postMessage(task.job);
  };
  const start = () => {
    const thread: Thread = {
      worker: new Worker(threadFile, { workerData: { options: ARGON2_OPTIONS, niceIncrement } }),
      task: null,
      answered: false,
    };
    threads.add(thread);
    thread.worker.on('message', (answer: Argon2Answer) => {
      const task = thread.task;
      thread.task = null;
      thread.answered = true;
      if (task) {
        if ('error' in answer) task.reject(new Error(answer.error));
        else task.resolve(answer.value);
      }
      give(thread);
    });
    let failure: Error | undefined;
    thread.worker.on('error', (error) => {
      failure = error;
    });
    thread.worker.on('exit', (code) => {
      threads.delete(thread);
      const error = closed
        ? closedError(failure)
        : (failure ?? new Error(`A password hashing thread exited (code ${code}).`));
      thread.task?.reject(error);
      if (closed) return;
      // A thread that worked is replaced; one that never did (it cannot load)
      // is not, or the pool would restart it forever.
      if (thread.answered) give(start());
      else if (threads.size === 0) for (const task of queue.splice(0)) task.reject(error);
    });
    return thread;
  };
  for (let i = 0; i < size; i++) give(start());

  const run = (job: Argon2Job) =>
    new Promise<string | boolean>((resolve, reject) => {
      if (closed) throw closedError();
      queue.push({ job, resolve, reject });
      for (const thread of threads) {
        if (thread.task === null) {
          give(thread);
          break;
        }
      }
    });
  const close = async () => {
    closed = true;
    for (const task of queue.splice(0)) task.reject(closedError());
    await Promise.all([...threads].map((thread) => thread.worker.terminate()));
  };
  const hash = async (password: string) => (await run({ op: 'hash', password })) as string;
  const verify = async (hashed: string, password: string) =>
    (await run({ op: 'verify', hashed, password })) as boolean;

  const [dummyHash] = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      hash(i === 0 ? 'no user has this password' : 'warm up this thread'),
    ),
  ).catch(async (error: unknown) => {
    await close();
    throw error;
  });

  return {
    get active() {
      let running = 0;
      for (const thread of threads) if (thread.task !== null) running += 1;
      return running;
    },
    get pending() {
      return queue.length;
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
