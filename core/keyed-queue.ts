/**
 * @module Per-key serialization in this process: tasks under one key run one
 * after another, in the order they were queued; tasks under different keys
 * run concurrently. The signaling use cases queue everything about a call
 * under its id, so frames of one call are handled (and relayed) in the order
 * they arrived, however slow the stores are.
 */

/** How a task needs to be ordered beyond this process. */
export interface KeyedTaskOptions {
  /**
   * The task changes no shared state (it reads and relays): its place among
   * this process's tasks under the key is all the order it needs. A
   * cluster-wide queue (adapters/redis/locked-queue.ts) then skips its lock.
   */
  readonly localOnly?: boolean;
}

/** Serializes async tasks per key. */
export interface KeyedQueue {
  /**
   * Queues `task` behind every task queued under `key` before it (whether they
   * succeed or fail) and settles like it. The task is queued synchronously:
   * the order of `run` calls is the order of execution.
   */
  run<T>(key: string, task: () => Promise<T>, options?: KeyedTaskOptions): Promise<T>;
  /** Settles once every task queued so far, under any key, has settled. */
  settled(): Promise<void>;
}

/**
 * A fresh queue; keys are forgotten once their last task settles. A task
 * under an idle key starts at once, inside `run` (most keys are idle: the
 * relay of a call's frames runs this per frame), and each task costs one
 * extra promise, the one the next task of its key waits for. So a task must
 * not queue under its own key before its first `await` (no use case does).
 */
export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>();

  return {
    run(key, task) {
      const previous = tails.get(key);
      const result = previous === undefined ? start(task) : previous.then(task);
      const tail = whenSettled(result, () => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      tails.set(key, tail);
      return result;
    },
    async settled() {
      await Promise.all([...tails.values()]);
    },
  };
}

/** Runs `task` now; a synchronous throw becomes a rejection, as it would behind a `then`. */
function start<T>(task: () => Promise<T>): Promise<T> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Calls `callback` once `promise` settles, either way; the promise returned never rejects. */
function whenSettled(promise: Promise<unknown>, callback: () => void): Promise<void> {
  return promise.then(callback, callback);
}
