import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createArgon2PasswordHasher } from './argon2-password-hasher.js';

// The nice value of each thread of this process (Linux: /proc/self/task/<tid>/stat, field 19).
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nice.set(Number(tid), Number(fields[16]));
  }
  return nice;
}

describe('argon2 password hasher', () => {
  it('hashes with argon2id and OWASP parameters (m = 19 MiB, t = 2, p = 1)', async () => {
    const hasher = await createArgon2PasswordHasher();
    const hashed = await hasher.hash('correct horse battery staple');
    expect(hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hashed).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hasher = await createArgon2PasswordHasher();
    const hashed = await hasher.hash('pässwörd-1');
    expect(await hasher.verify(hashed, 'pässwörd-1')).toBe(true);
    expect(await hasher.verify(hashed, 'pässwörd-2')).toBe(false);
  });

  it('treats a stored hash that does not parse as a mismatch', async () => {
    const hasher = await createArgon2PasswordHasher();
    expect(await hasher.verify('not-a-hash', 'whatever1')).toBe(false);
  });

  it('spends a verification on verifyNothing and always answers false', async () => {
    const hasher = await createArgon2PasswordHasher({ maxConcurrent: 1 });
    const pending = hasher.verifyNothing('no user has this password');
    expect(hasher.active).toBe(1);
    expect(await pending).toBe(false);
  });

  it('runs at most two hashes at once and queues the rest', async () => {
    const hasher = await createArgon2PasswordHasher();
    const all = Array.from({ length: 6 }, (_, i) => hasher.hash(`password-${i}`));
    expect(hasher.active).toBe(2);
    expect(hasher.pending).toBe(4);
    const hashes = await Promise.all(all);
    expect(new Set(hashes).size).toBe(6);
    expect(hasher.active + hasher.pending).toBe(0);
  });

  it.runIf(process.platform === 'linux')(
    'hashes on threads of lower priority, leaving the event loop its own',
    async () => {
      const before = threadNiceValues();
      const hasher = await createArgon2PasswordHasher({ maxConcurrent: 2, threadNiceness: 15 });
      try {
        const added = [...threadNiceValues()].filter(([tid]) => !before.has(tid));
        expect(added.filter(([, nice]) => nice === 15)).toHaveLength(2);
        expect(threadNiceValues().get(process.pid)).toBe(before.get(process.pid));
      } finally {
        await hasher.close();
      }
    },
  );

  it('refuses work once closed, failing what was queued', async () => {
    const hasher = await createArgon2PasswordHasher({ maxConcurrent: 1 });
    const settled = Promise.allSettled([hasher.hash('first'), hasher.hash('second')]);
    expect(hasher.pending).toBe(1);
    await hasher.close();
    const [running, queued] = await settled;
    expect(running?.status).toBe('rejected');
    expect(queued).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('closed') },
    });
    await expect(hasher.verify('x', 'y')).rejects.toThrow('closed');
    expect(hasher.active + hasher.pending).toBe(0);
  });
});
