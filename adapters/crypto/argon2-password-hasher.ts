/**
 * @module argon2id password hashing with OWASP's parameters on a small pool of
 * low-priority worker threads, bounded so that a burst of logins can neither
 * queue up unbounded memory (19 MiB per hash) nor delay the event loop.
 *
 * Why threads of its own rather than @node-rs/argon2's async calls: those run
 * on libuv's thread pool at the event loop's priority. With the server on one
 * core (as deployed and benchmarked), the pool thread that a `verify()` call
 * wakes preempts the event loop inside that very call (the CPU profile showed
 * it as 15 % self time of the call), and during a burst of logins two hashing
 * threads share the core with the event loop as equals, so every socket frame
 * waits its turn behind them. Here each hash runs synchronously on a worker
 * thread that lowered its own nice value (`argon2-thread.mjs`): the event loop
 * gets the core whenever it has work, and hashes use what is left over, which
 * on an idle server is all of it.
 *
 * Protocol: a worker gets one job at a time, `{ op: 'hash', password }` or
 * `{ op: 'verify', hashed, password }`, and answers `{ value }` or `{ error }`.
 * Jobs beyond the number of workers wait in a queue here. An idle worker is
 * unref'ed, so the pool never keeps a process alive; `close()` ends it.
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
   * Nice value of the hashing threads on Linux (0 = the event loop's own,
   * 19 = lowest). Default 19: a login waits only while the event loop is busy.
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

type Job =
  | { readonly op: 'hash'; readonly password: string }
  | { readonly op: 'verify'; readonly hashed: string; readonly password: string };

type Reply = { readonly value: string | boolean } | { readonly error: string };

interface Task {
  readonly job: Job;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker | null;
  task: Task | null;
}

const THREAD_URL = new URL('./argon2-thread.mjs', import.meta.url);

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
  const workerData = { options: ARGON2_OPTIONS, niceness: options.threadNiceness ?? 19 };
  const slots: Slot[] = Array.from({ length: size }, () => ({ worker: null, task: null }));
  const queue: Task[] = [];
  let closed = false;

  function spawn(slot: Slot): Worker {
    const worker = new Worker(THREAD_URL, { workerData });
    let failure: Error | undefined;
    worker.on('message', (reply: Reply) => {
      const task = slot.task;
      slot.task = null;
      if ('error' in reply) task?.reject(new Error(reply.error));
      else task?.resolve(reply.value);
      next(slot);
    });
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      // Died under a job (or was ended by close()): that job fails, the next
      // one starts a fresh thread.
      slot.worker = null;
      const task = slot.task;
      slot.task = null;
      task?.reject(failure ?? new Error(`argon2 thread exited with code ${code}`));
      if (!closed) next(slot);
    });
    return worker;
  }

  function start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker ??= spawn(slot);
    slot.worker.ref();
    slot.worker.postMessage(task.job);
  }

  function next(slot: Slot): void {
    const task = queue.shift();
    if (task) start(slot, task);
    else slot.worker?.unref();
  }

  function run(job: Job): Promise<string | boolean> {
    return new Promise((resolve, reject) => {
      if (closed) {
        reject(new Error('The password hasher is closed.'));
        return;
      }
      const task = { job, resolve, reject };
      const idle = slots.find((slot) => slot.task === null);
      if (idle) start(idle, task);
      else queue.push(task);
    });
  }

  const hash = async (password: string) => (await run({ op: 'hash', password })) as string;
  const verify = async (hashed: string, password: string) =>
    (await run({ op: 'verify', hashed, password })) as boolean;

  async function close(): Promise<void> {
    closed = true;
    for (const task of queue.splice(0)) task.reject(new Error('The password hasher is closed.'));
    await Promise.all(slots.map((slot) => slot.worker?.terminate()));
  }

  const [dummyHash] = await Promise.all(
    slots.map((_, i) => hash(i === 0 ? 'no user has this password' : 'warm up this thread')),
  ).catch(async (error: unknown) => {
    await close();
    throw error;
  });

  return {
    get active() {
      return slots.filter((slot) => slot.task !== null).length;
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
