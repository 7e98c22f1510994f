import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import type { UserId } from '../model.js';
import { findByUsername } from './find-by-username.js';
import { getPresence } from './get-presence.js';
import { getProfile } from './get-profile.js';
import { lookupByPhoneNumbers } from './lookup-by-phone-numbers.js';
import { register } from './register.js';
import { sendMessage } from './send-message.js';
import { toProfile } from './session.js';

async function withUsers() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, username: string | null, displayName: string) =>
    register(core.deps, { phoneNumber, username, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice', 'Alice');
  const bob = await make('+15550100002', null, 'Bob');
  const carol = await make('+15550100003', 'carol.c', 'Carol');
  return { ...core, alice, bob, carol };
}

describe('getProfile', () => {
  it('returns the public profile without the password hash', async () => {
    const { deps, alice, bob } = await withUsers();
    const profile = await getProfile(deps, { userId: alice.id, caller: bob });
    expect(profile).toEqual({ ...alice, phoneNumber: null });
    expect(profile).not.toHaveProperty('passwordHash');
  });

  it('answers USER_NOT_FOUND for unknown and malformed ids', async () => {
    const { deps, bob } = await withUsers();
    for (const userId of ['65a1b2c3d4e5f60718293a4b', 'not-an-id', '']) {
      await expect(getProfile(deps, { userId, caller: bob })).rejects.toMatchObject({
        code: 'USER_NOT_FOUND',
      });
    }
  });

  it('shows the stored lastSeen', async () => {
    const { deps, alice, bob, clock } = await withUsers();
    await deps.users.setLastSeen(alice.id, clock.now());
    expect((await getProfile(deps, { userId: alice.id, caller: bob })).lastSeen).toEqual(
      clock.now(),
    );
  });

  it('shows the phone number to the user and to those the user has written to, nobody else', async () => {
    const { deps, alice, bob, carol } = await withUsers();
    expect((await getProfile(deps, { userId: alice.id, caller: bob })).phoneNumber).toBeNull();
    // Bob writing to Alice does not show him her number: she has not written back.
    await sendMessage(deps, { senderId: bob.id, receiverId: alice.id, content: 'hi' });
    expect((await getProfile(deps, { userId: alice.id, caller: bob })).phoneNumber).toBeNull();
    expect((await getProfile(deps, { userId: bob.id, caller: alice })).phoneNumber).toBe(
      bob.phoneNumber,
    );
    await sendMessage(deps, { senderId: alice.id, receiverId: bob.id, content: 'hello' });
    expect((await getProfile(deps, { userId: alice.id, caller: bob })).phoneNumber).toBe(
      alice.phoneNumber,
    );
    expect((await getProfile(deps, { userId: alice.id, caller: carol })).phoneNumber).toBeNull();
    expect((await getProfile(deps, { userId: alice.id, caller: alice })).phoneNumber).toBe(
      alice.phoneNumber,
    );
  });

  it("answers the caller's own profile from the caller as this request read it, without reading the store again", async () => {
    const { deps, alice, bob } = await withUsers();
    let reads = 0;
    const counting = {
      messages: deps.messages,
      users: {
        ...deps.users,
        findById: (id: string) => {
          reads += 1;
          return deps.users.findById(id);
        },
      },
    };
    const callerProfile = toProfile((await deps.users.findById(alice.id)) ?? expect.unreachable());
    expect(await getProfile(counting, { userId: alice.id, caller: callerProfile })).toEqual(alice);
    expect(reads).toBe(0);
    // Anyone else's profile is still read from the store.
    expect(await getProfile(counting, { userId: bob.id, caller: callerProfile })).toEqual({
      ...bob,
      phoneNumber: null,
    });
    expect(reads).toBe(1);
  });
});

describe('findByUsername', () => {
  it('finds a user whatever the case, the phone number under the same rule as profiles', async () => {
    const { deps, alice, carol } = await withUsers();
    await expect(
      findByUsername(deps, { username: 'CAROL.C', callerId: alice.id }),
    ).resolves.toEqual({ ...carol, phoneNumber: null });
    await expect(
      findByUsername(deps, { username: 'CAROL.C', callerId: carol.id }),
    ).resolves.toEqual(carol);
  });

  it('answers USER_NOT_FOUND for an unknown name and for a string that cannot be a username', async () => {
    const { deps, alice } = await withUsers();
    for (const username of ['nobody', 'x', 'no spaces', '{"$ne":null}']) {
      await expect(findByUsername(deps, { username, callerId: alice.id })).rejects.toMatchObject({
        code: 'USER_NOT_FOUND',
      });
    }
  });
});

describe('lookupByPhoneNumbers', () => {
  it('returns one entry per matched user in order of first appearance', async () => {
    const { deps, alice, bob } = await withUsers();
    const found = await lookupByPhoneNumbers(deps, {
      phoneNumbers: ['+1 555 010 0002', 'garbage', '+15550109999', '+15550100001', '+15550100002'],
      callerId: alice.id,
    });
    expect(found.map((p) => p.id)).toEqual([bob.id, alice.id]);
  });

  it('returns an empty list when nothing matches', async () => {
    const { deps, alice } = await withUsers();
    await expect(
      lookupByPhoneNumbers(deps, { phoneNumbers: ['nope'], callerId: alice.id }),
    ).resolves.toEqual([]);
  });
});

describe('getPresence', () => {
  it('reports live status and stored lastSeen, leaving unknown and malformed ids out', async () => {
    const { deps, alice, bob, clock } = await withUsers();
    await deps.users.setLastSeen(bob.id, clock.now());
    await deps.presence.setConnectionStatus(alice.id, 'c1', 'idle');
    const presence = await getPresence(deps, {
      userIds: [alice.id, bob.id, '65a1b2c3d4e5f60718293a4b', 'junk', alice.id],
      callerId: bob.id,
    });
    expect([...presence.keys()]).toEqual([alice.id, bob.id]);
    expect(presence.get(alice.id)).toEqual({ status: 'idle', lastSeen: null });
    expect(presence.get(bob.id as UserId)).toEqual({ status: 'offline', lastSeen: clock.now() });
  });

  it('combines connections: active wins over idle', async () => {
    const { deps, alice } = await withUsers();
    await deps.presence.setConnectionStatus(alice.id, 'c1', 'idle');
    await deps.presence.setConnectionStatus(alice.id, 'c2', 'active');
    expect(
      (await getPresence(deps, { userIds: [alice.id], callerId: alice.id })).get(alice.id)?.status,
    ).toBe('active');
    await deps.presence.removeConnection(alice.id, 'c2');
    expect(
      (await getPresence(deps, { userIds: [alice.id], callerId: alice.id })).get(alice.id)?.status,
    ).toBe('idle');
  });
});
