/**
 * @module The task of one argon2 hashing thread of `argon2-password-hasher.ts`
 * (run by piscina). Plain JavaScript because a worker thread's entry is
 * loaded without tsx's hooks on Node 20, and this file needs no TypeScript.
 * It hashes with the synchronous calls, so the work runs on this thread (whose
 * priority piscina lowered) and nowhere else.
 */
import { workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

const { options } = workerData;

/** `{ op: 'hash', password }` → the hash; `{ op: 'verify', hashed, password }` → whether it matches. */
export default function run(job) {
  if (job.op === 'hash') return hashSync(job.password, options);
  try {
    return verifySync(job.hashed, job.password, options);
  } catch {
    // A stored hash that does not parse never matches.
    return false;
  }
}
