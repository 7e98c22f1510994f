import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import type { SessionId } from '../model.js';
import { authenticate } from './authenticate.js';
import { endOtherSessions } from './end-other-sessions.js';
import { endSession } from './end-session.js';
import { listSessions } from './list-sessions.js';
import { login } from './login.js';
import { register } from './register.js';

const credentials = { phoneNumber: '+15550100001', password: 'correct horse' };

async function withDevices() {
  const core = createCoreDeps();
  const first = await register(core.deps, {
    ...credentials,
    username: null,
    displayName: 'Alice',
    userAgent: 'MyCalls/1.0 (Android 14)',
  });
  core.clock.advance(1000);
  const second = await login(core.deps, { ...credentials, deviceName: '  Laptop  ' });
  return { ...core, first, second, userId: first.user.id };
}

describe('device sessions', () => {
  it('opens one per register and login, named by the body or the User-Agent', async () => {
    const { deps, first, second, userId } = await withDevices();
    const list = await listSessions(deps, { userId, currentSessionId: second.sessionId });
    expect(list.map((s) => [s.id, s.deviceName, s.current])).toEqual([
      [second.sessionId, 'Laptop', true],
      [first.sessionId, 'MyCalls/1.0 (Android 14)', false],
    ]);
    expect(list[1]?.expiresAt).toEqual(first.expiresAt);
  });

  it('names a device without name or User-Agent "Unknown device" and refuses a bad name', async () => {
    const { deps } = createCoreDeps();
    const session = await register(deps, { ...credentials, username: null, displayName: 'A' });
    expect((await deps.sessions.findById(session.sessionId))?.deviceName).toBe('Unknown device');
    await expect(login(deps, { ...credentials, deviceName: 'tab\there' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'deviceName' }],
    });
  });

  it('refuses the tokens of an ended session and announces it', async () => {
    const { deps, first, second, userId, endedSessions } = await withDevices();
    await endSession(deps, { userId, sessionId: first.sessionId });
    await expect(authenticate(deps, first.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(authenticate(deps, second.token)).resolves.toMatchObject({
      session: { id: second.sessionId },
    });
    expect(endedSessions).toEqual([{ userId, sessionId: first.sessionId }]);
  });

  it("answers SESSION_NOT_FOUND for another user's, an unknown and an ended session", async () => {
    const { deps, first, userId } = await withDevices();
    const bob = await register(deps, {
      phoneNumber: '+15550100002',
      password: 'correct horse',
      username: null,
      displayName: 'Bob',
    });
    for (const sessionId of [bob.sessionId, 'nope', 'ffffffffffffffffffffffff']) {
      await expect(endSession(deps, { userId, sessionId })).rejects.toMatchObject({
        code: 'SESSION_NOT_FOUND',
      });
    }
    await endSession(deps, { userId, sessionId: first.sessionId });
    await expect(endSession(deps, { userId, sessionId: first.sessionId })).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    await expect(authenticate(deps, bob.token)).resolves.toBeDefined();
  });

  it('ends all other sessions and keeps the current one', async () => {
    const { deps, first, second, userId } = await withDevices();
    const third = await login(deps, credentials);
    expect(await endOtherSessions(deps, { userId, currentSessionId: second.sessionId })).toBe(2);
    await expect(authenticate(deps, first.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(authenticate(deps, third.token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(authenticate(deps, second.token)).resolves.toBeDefined();
  });

  it('writes lastSeenAt at most once a minute', async () => {
    const { deps, clock, second } = await withDevices();
    const seen = async () => (await deps.sessions.findById(second.sessionId))?.lastSeenAt;
    const opened = await seen();
    clock.advance(59_000);
    await authenticate(deps, second.token);
    expect(await seen()).toEqual(opened);
    clock.advance(1_000);
    await authenticate(deps, second.token);
    expect(await seen()).toEqual(clock.now());
  });

  it('leaves expired sessions out of the list', async () => {
    const { deps, clock, userId, second } = await withDevices();
    clock.advance(3600_000);
    expect(
      await listSessions(deps, { userId, currentSessionId: second.sessionId as SessionId }),
    ).toEqual([]);
  });
});
