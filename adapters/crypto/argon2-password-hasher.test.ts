import { describe, expect, it } from 'vitest';
import { createArgon2PasswordHasher } from './argon2-password-hasher.js';

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
});
