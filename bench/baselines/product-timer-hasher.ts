/**
 * @module Baseline: the product server with a timer in place of each
 * password hash, for the login row's accounting. The very server
 * `apps/server/main.ts` starts (same configuration, store, routes), with its
 * `passwords` port swapped once it is up: `verify` waits `BENCH_HASH_MS`
 * (a timer: the core idles, nothing evicts its caches) and answers what the
 * real hasher answered for the same hash and password the first time it was
 * asked. Everything else a login does (framework, body, validation, session,
 * token, headers, metrics) is the product's. Beside the bare login with the
 * same timer (login-floor.ts), it shows what the product's route costs when
 * no 19 MiB hash has just run on the core. Production has no such switch,
 * so this lives here.
 */

import type { PasswordHasher } from '../../core/index.js';
import { distModule } from '../lib/dist.js';
import { closeOnSignals } from '../lib/proc.js';

const { startServer } = await distModule<typeof import('../../apps/server/start-server.js')>(
  'apps/server/start-server.js',
);
const running = await startServer({ env: process.env });

const hashMs = Number(process.env.BENCH_HASH_MS ?? '10');
const real = running.deps.passwords;
const answers = new Map<string, boolean>();
const timer: PasswordHasher = {
  hash: (password) => real.hash(password),
  async verify(hashed, password) {
    const key = `${hashed}\n${password}`;
    const known = answers.get(key);
    if (known === undefined) {
      const ok = await real.verify(hashed, password);
      answers.set(key, ok);
      return ok;
    }
    await new Promise((resolve) => setTimeout(resolve, hashMs));
    return known;
  },
  async verifyNothing() {
    await new Promise((resolve) => setTimeout(resolve, hashMs));
    return false;
  },
};
Object.assign(running.deps, { passwords: timer });

closeOnSignals(() => running.close());
