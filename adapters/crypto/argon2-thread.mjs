/**
 * @module The body of one argon2 hashing thread of `argon2-password-hasher.ts`
 * (the protocol is described there). Plain JavaScript because a worker
 * thread's entry is loaded without tsx's hooks on Node 20, and this file
 * needs no TypeScript.
 *
 * It hashes with the synchronous calls, so the work runs on this thread and
 * nowhere else, and it lowers this thread's priority first: on Linux the nice
 * value belongs to the thread (setpriority(2) with pid 0), so the event loop
 * keeps its own and gets the core back as soon as it has something to do.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

const { options, niceness } = workerData;
// Elsewhere (macOS) pid 0 means the whole process: leave priorities alone there.
if (process.platform === 'linux' && niceness !== 0) setPriority(niceness);

parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ value: run(job) });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});

function run(job) {
  if (job.op === 'hash') return hashSync(job.password, options);
  try {
    return verifySync(job.hashed, job.password, options);
  } catch {
    // A stored hash that does not parse never matches.
    return false;
  }
}
