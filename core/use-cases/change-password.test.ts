import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { authenticate } from './authenticate.js';
import { changePassword } from './change-password.js';
import { login } from './login.js';
import { register } from './register.js';

const credentials = { phoneNumber: '+15550100001', password: 'correct horse' };

async function withThreeDevices() {
  const core = createCoreDeps();
  const first = await register(core.deps, { ...credentials, username: null, displayName: 'A' });
  const second = await login(core.deps, credentials);
  const third = await login(core.deps, credentials);
  const bob = await register(core.deps, {
    phoneNumber: '+15550100002',
    password: 'correct horse',
    username: null,
    displayName: 'Bob',
  });
  return { ...core, first, second, third, bob, userId: first.user.id };
}

describe('changePassword', () => {
  it('replaces the password and ends every other session, keeping the caller’s', async () => {
    const { deps, first, second, third, bob, userId, endedSessions } = await withThreeDevices();
    const ended = await changePassword(deps, {
      userId,
      currentSessionId: second.sessionId,
      currentPassword: credentials.password,
      newPassword: 'a new passphrase',
    });
    expect(ended).toBe(2);
    for (const gone of [first, third]) {
      await expect(authenticate(deps, gone.token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    await expect(authenticate(deps, second.token)).resolves.toBeDefined();
    await expect(authenticate(deps, bob.token)).resolves.toBeDefined();
    expect(endedSessions).toHaveLength(2);
    expect(new Set(endedSessions.map((s) => s.sessionId))).toEqual(
      new Set([first.sessionId, third.sessionId]),
    );
    await expect(login(deps, credentials)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(
      login(deps, { ...credentials, password: 'a new passphrase' }),
    ).resolves.toBeDefined();
  });

  it('answers a wrong current password as login does, changing nothing', async () => {
    const { deps, first, second, userId, endedSessions } = await withThreeDevices();
    await expect(
      changePassword(deps, {
        userId,
        currentSessionId: second.sessionId,
        currentPassword: 'wrong horse',
        newPassword: 'a new passphrase',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(authenticate(deps, first.token)).resolves.toBeDefined();
    await expect(login(deps, credentials)).resolves.toBeDefined();
    expect(endedSessions).toEqual([]);
  });

  it('refuses a new password that sign-up would refuse, before checking the current one', async () => {
    const { deps, second, userId } = await withThreeDevices();
    for (const newPassword of ['short', 'x'.repeat(129), '\uD800broken!!']) {
      await expect(
        changePassword(deps, {
          userId,
          currentSessionId: second.sessionId,
          currentPassword: 'wrong horse',
          newPassword,
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'newPassword' }] });
    }
    await expect(login(deps, credentials)).resolves.toBeDefined();
  });
});

describe('a login racing a password change', () => {
  it('never leaves a session opened with the old password', async () => {
    const core = createCoreDeps();
    const first = await register(core.deps, { ...credentials, username: null, displayName: 'A' });
    // The change lands while the login checks the old password.
    let racing = false;
    const passwords = {
      ...core.deps.passwords,
      async verify(hash: string, password: string) {
        const ok = await core.deps.passwords.verify(hash, password);
        if (!racing) {
          racing = true;
          await changePassword(core.deps, {
            userId: first.user.id,
            currentSessionId: first.sessionId,
            currentPassword: credentials.password,
            newPassword: 'a new passphrase',
          });
        }
        return ok;
      },
    };
    await expect(login({ ...core.deps, passwords }, credentials)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    const left = await core.deps.sessions.listForUser(first.user.id, core.clock.now());
    expect(left.map((s) => s.id)).toEqual([first.sessionId]);
  });
});
