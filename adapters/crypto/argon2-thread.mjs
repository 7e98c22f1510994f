/**
 * @module One argon2 hashing thread of `argon2-password-hasher.ts`. Plain
 * JavaScript because a worker thread's entry is loaded without tsx's hooks on
 * Node 20, and this file needs no TypeScript. It first lowers its own
 * priority (`nice` changes the calling thread only, on Linux), then answers
 * each job with the synchronous calls, so the work runs on this thread and
 * nowhere else. One job at a time: the pool sends the next once this one is
 * answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

const { options, niceIncrement } = workerData;
if (niceIncrement > 0) {
  const { nice } = await import('@napi-rs/nice');
  nice(niceIncrement);
}

/** `{ op: 'hash', password }` → the hash; `{ op: 'verify', hashed, password }` → whether it matches. */
function run(job) {
  if (job.op === 'hash') return hashSync(job.password, options);
  try {
    return verifySync(job.hashed, job.password, options);
  } catch {
    // A stored hash that does not parse never matches.
    return false;
  }
}

parentPort.on('message', (job) => {
  let answer;
  try {
    answer = { value: run(job) };
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(answer);
});
