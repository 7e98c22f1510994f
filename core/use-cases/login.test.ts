import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { authenticate } from './authenticate.js';
import { login } from './login.js';
import { register } from './register.js';

async function withAlice() {
  const core = createCoreDeps();
  const session = await register(core.deps, {
    phoneNumber: '+15550100001',
    username: null,
    displayName: 'Alice',
    password: 'correct horse',
  });
  core.passwords.calls.length = 0;
  return { ...core, alice: session.user };
}

describe('login', () => {
  it('returns a session for the right password, whatever the phone spelling', async () => {
    const { deps, alice } = await withAlice();
    const session = await login(deps, {
      phoneNumber: '+1 555 010 0001',
      password: 'correct horse',
    });
    expect(session.user.id).toBe(alice.id);
    await expect(authenticate(deps, session.token)).resolves.toMatchObject({
      user: { id: alice.id },
    });
  });

  it('answers a wrong password and an unknown phone alike, each after one hash', async () => {
    const { deps, passwords } = await withAlice();
    await expect(
      login(deps, { phoneNumber: '+15550100001', password: 'wrong horse' }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(
      login(deps, { phoneNumber: '+15550109999', password: 'correct horse' }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(passwords.calls).toEqual(['verify', 'verifyNothing']);
  });

  it('refuses a phone that does not normalize as a validation error', async () => {
    const { deps } = await withAlice();
    await expect(login(deps, { phoneNumber: 'abc', password: 'x' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'phoneNumber' }],
    });
  });
});

describe('authenticate', () => {
  it('refuses a token that does not verify', async () => {
    const { deps } = await withAlice();
    await expect(authenticate(deps, 'nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a valid token whose user is gone', async () => {
    const { deps } = await withAlice();
    const { token } = await deps.tokens.issue('65a1b2c3d4e5f60718293a4b' as never, 'x' as never);
    await expect(authenticate(deps, token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
