import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { getAccount } from './get-account.js';
import { listConversations } from './list-conversations.js';
import { register } from './register.js';
import { sendMessage } from './send-message.js';
import { callUser } from './signaling/call-user.js';
import { updateAccount } from './update-account.js';

async function world() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, username: string | null, displayName: string) =>
    register(core.deps, { phoneNumber, username, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice', 'Alice');
  const bob = await make('+15550100002', 'bob', 'Bob');
  return { ...core, alice, bob };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('getAccount', () => {
  it('returns the profile and the default settings (both on)', async () => {
    const { deps, alice } = await world();
    expect(await getAccount(deps, { userId: alice.id })).toEqual({
      profile: alice,
      readReceipts: true,
      typingIndicators: true,
    });
  });

  it('answers UNAUTHENTICATED for an account that no longer exists', async () => {
    const { deps } = await world();
    expect(await codeOf(getAccount(deps, { userId: '65a1b2c3d4e5f60718293a4b' }))).toBe(
      'UNAUTHENTICATED',
    );
  });
});

describe('updateAccount', () => {
  it('trims and stores a new display name, leaving the rest alone', async () => {
    const { deps, alice } = await world();
    const account = await updateAccount(deps, { userId: alice.id, displayName: '  Alicia  ' });
    expect(account).toEqual({
      profile: { ...alice, displayName: 'Alicia' },
      readReceipts: true,
      typingIndicators: true,
    });
    expect((await deps.users.findById(alice.id))?.displayName).toBe('Alicia');
  });

  it('stores the privacy settings', async () => {
    const { deps, alice } = await world();
    await updateAccount(deps, { userId: alice.id, readReceipts: false });
    const account = await updateAccount(deps, { userId: alice.id, typingIndicators: false });
    expect(account.readReceipts).toBe(false);
    expect(account.typingIndicators).toBe(false);
  });

  it('applies sign-up rules and writes nothing when any field breaks them', async () => {
    const { deps, alice } = await world();
    for (const displayName of ['', '   ', 'x'.repeat(65), 'a\u0007b', 'evil\u202Eman']) {
      const error = await updateAccount(deps, {
        userId: alice.id,
        displayName,
        readReceipts: false,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
        'displayName',
      ]);
    }
    for (const username of ['ab', 'x'.repeat(33), 'has space', 'émile', '']) {
      expect(await codeOf(updateAccount(deps, { userId: alice.id, username }))).toBe(
        'VALIDATION_FAILED',
      );
    }
    expect(await getAccount(deps, { userId: alice.id })).toEqual({
      profile: alice,
      readReceipts: true,
      typingIndicators: true,
    });
  });

  it("refuses a username another user holds in any case, and allows one's own in another case", async () => {
    const { deps, alice } = await world();
    expect(await codeOf(updateAccount(deps, { userId: alice.id, username: 'BOB' }))).toBe(
      'USERNAME_TAKEN',
    );
    expect(
      (await updateAccount(deps, { userId: alice.id, username: 'ALICE' })).profile.username,
    ).toBe('ALICE');
  });

  it('clears the username with null, so someone else may take it', async () => {
    const { deps, alice, bob } = await world();
    expect((await updateAccount(deps, { userId: alice.id, username: null })).profile.username).toBe(
      null,
    );
    expect(await codeOf(updateAccount(deps, { userId: bob.id, username: 'alice' }))).toBe('OK');
  });

  it('shows partners the new name in later conversation lists and call frames', async () => {
    const { deps, alice, bob, notifier } = await world();
    await sendMessage(deps, { senderId: alice.id, receiverId: bob.id, content: 'hi' });
    await updateAccount(deps, { userId: alice.id, displayName: 'Alice Renamed' });
    const [view] = await listConversations(deps, { userId: bob.id, limit: 10, offset: 0 });
    expect(view?.peer?.displayName).toBe('Alice Renamed');

    await deps.presence.setConnectionStatus(bob.id, 'b1', 'active');
    await callUser(deps, { userId: alice.id, connectionId: 'a1', payload: { to: bob.id } });
    const ring = notifier.sent.find((s) => s.notification.type === 'call-user');
    expect(ring?.notification).toMatchObject({ payload: { fromDisplayName: 'Alice Renamed' } });
  });
});
