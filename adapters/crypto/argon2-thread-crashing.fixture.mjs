/**
 * @module A hashing thread that dies on the password `crash` (as a thread
 * lost to a fault would) and is argon2-thread.mjs otherwise: the hasher's
 * tests use it to see a lost thread replaced.
 */
import { parentPort } from 'node:worker_threads';

// Wraps the real thread's listener: a listener of our own, added first, would
// start the port and take the messages that arrive before the real one listens.
const on = parentPort.on.bind(parentPort);
parentPort.on = (type, listener) =>
  on(type, (job) => {
    if (job.password === 'crash') process.exit(3);
    listener(job);
  });
await import('./argon2-thread.mjs');
