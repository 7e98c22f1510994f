/**
 * @module argon2id password hashing with OWASP's parameters, bounded so that a
 * burst of logins cannot starve the event loop's thread pool or memory.
 */
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
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
  /** Hashes computed at once; the rest queue. Default 2. */
  readonly maxConcurrent?: number;
}

/** The hasher, with its queue's state for metrics and tests. */
export interface Argon2PasswordHasher extends PasswordHasher {
  /** Hashes running now (at most `maxConcurrent`). */
  readonly active: number;
  /** Hashes waiting for a slot. */
  readonly pending: number;
}

/**
 * Creates the hasher. Resolves after computing the hash that `verifyNothing`
 * checks against, so an unknown phone costs what a wrong password costs.
 */
export async function createArgon2PasswordHasher(
  options: Argon2PasswordHasherOptions = {},
): Promise<Argon2PasswordHasher> {
  const limit = pLimit(options.maxConcurrent ?? 2);
  const dummyHash = await hash('no user has this password', ARGON2_OPTIONS);

  const check = (hashed: string, password: string) =>
    limit(async () => {
      try {
        return await verify(hashed, password, ARGON2_OPTIONS);
      } catch {
        // A stored hash that does not parse never matches.
        return false;
      }
    });

  return {
    get active() {
      return limit.activeCount;
    },
    get pending() {
      return limit.pendingCount;
    },
    hash: (password) => limit(() => hash(password, ARGON2_OPTIONS)),
    verify: check,
    async verifyNothing(password) {
      await check(dummyHash, password);
      return false;
    },
  };
}
