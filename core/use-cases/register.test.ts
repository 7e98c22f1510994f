import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { register } from './register.js';

const alice = {
  phoneNumber: '+1 (555) 010-0001',
  username: 'Alice_1',
  displayName: '  Alice  ',
  password: 'correct horse',
};

describe('register', () => {
  it('stores the normalized phone, the trimmed name and only a hash of the password', async () => {
    const { deps, clock } = createCoreDeps();
    const session = await register(deps, alice);
    expect(session.user).toMatchObject({
      phoneNumber: '+15550100001',
      username: 'Alice_1',
      displayName: 'Alice',
      createdAt: clock.now(),
      lastSeen: null,
    });
    const stored = await deps.users.findById(session.user.id);
    expect(stored?.passwordHash).toBe('fake-hash:correct horse');
  });

  it('signs the new user in at once', async () => {
    const { deps } = createCoreDeps();
    const session = await register(deps, alice);
    await expect(deps.tokens.verify(session.token)).resolves.toMatchObject({
      userId: session.user.id,
    });
  });

  it('refuses a registered phone in any spelling with PHONE_TAKEN, before the username', async () => {
    const { deps } = createCoreDeps();
    await register(deps, alice);
    await expect(
      register(deps, { ...alice, phoneNumber: '+1.555.010.0001', username: 'alice_1' }),
    ).rejects.toMatchObject({ code: 'PHONE_TAKEN' });
  });

  it('refuses a username taken in any case with USERNAME_TAKEN', async () => {
    const { deps } = createCoreDeps();
    await register(deps, alice);
    await expect(
      register(deps, { ...alice, phoneNumber: '+15550100002', username: 'ALICE_1' }),
    ).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
  });

  it('lets any number of users go without a username', async () => {
    const { deps } = createCoreDeps();
    for (const phone of ['+15550100001', '+15550100002', '+15550100003']) {
      const session = await register(deps, { ...alice, phoneNumber: phone, username: null });
      expect(session.user.username).toBeNull();
    }
  });

  it('does not spend a hash on a phone that is already taken', async () => {
    const { deps, passwords } = createCoreDeps();
    await register(deps, alice);
    passwords.calls.length = 0;
    await expect(register(deps, alice)).rejects.toMatchObject({ code: 'PHONE_TAKEN' });
    expect(passwords.calls).toEqual([]);
  });

  it('lets exactly one of two concurrent registrations of one phone succeed', async () => {
    const { deps } = createCoreDeps();
    const results = await Promise.allSettled([
      register(deps, { ...alice, username: null }),
      register(deps, { ...alice, username: null }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'PHONE_TAKEN' },
    });
  });

  it.each([
    ['phoneNumber', { phoneNumber: '555-0100' }],
    ['phoneNumber', { phoneNumber: '+0123456789' }],
    ['phoneNumber', { phoneNumber: '+123456' }],
    ['phoneNumber', { phoneNumber: '+1234567890123456' }],
    ['username', { username: '' }],
    ['username', { username: 'ab' }],
    ['username', { username: 'a'.repeat(33) }],
    ['username', { username: 'bad-name' }],
    ['displayName', { displayName: '   ' }],
    ['displayName', { displayName: 'a'.repeat(65) }],
    ['displayName', { displayName: 'tab\there' }],
    ['displayName', { displayName: 'lone \ud800 surrogate' }],
    ['password', { password: 'short' }],
    ['password', { password: 'p'.repeat(129) }],
  ])('refuses a bad %s with VALIDATION_FAILED naming the field', async (path, patch) => {
    const { deps } = createCoreDeps();
    await expect(register(deps, { ...alice, ...patch })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path })],
    });
  });

  it('counts lengths in code points, not UTF-16 units', async () => {
    const { deps } = createCoreDeps();
    const session = await register(deps, {
      ...alice,
      displayName: '😀'.repeat(64),
      password: '🔑'.repeat(8),
    });
    expect(session.user.displayName).toBe('😀'.repeat(64));
  });

  it('accepts the E.164 bounds: 7 and 15 digits', async () => {
    const { deps } = createCoreDeps();
    await expect(
      register(deps, { ...alice, phoneNumber: '+1234567', username: null }),
    ).resolves.toBeDefined();
    await expect(
      register(deps, { ...alice, phoneNumber: '+123456789012345', username: null }),
    ).resolves.toBeDefined();
  });
});
