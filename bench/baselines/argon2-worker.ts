/**
 * @module Baseline: raw argon2id hashes with the product's parameters
 * (`ARGON2_OPTIONS`), one at a time, in a process pinned like the server.
 */
import { hash } from '@node-rs/argon2';
import { ARGON2_OPTIONS } from '../../adapters/crypto/argon2-password-hasher.js';
import { serveRpc } from '../lib/proc.js';
import { latencySummary } from '../lib/stats.js';

serveRpc({
  async hashLoop(params: { durationSec: number }) {
    const latencies: number[] = [];
    const deadline = performance.now() + params.durationSec * 1000;
    await hash('warm up the thread pool', ARGON2_OPTIONS);
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await hash('correct horse battery staple', ARGON2_OPTIONS);
      latencies.push(performance.now() - t0);
    }
    return latencySummary(latencies);
  },
});
