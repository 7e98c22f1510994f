import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../../test/support/core-deps.js';
import type { UserId } from '../../model.js';
import { listConversations, unreadTotal } from '../list-conversations.js';
import { register } from '../register.js';
import { sendMessage } from '../send-message.js';
import { updateAccount } from '../update-account.js';
import { markRead } from './mark-read.js';

async function world() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, displayName: string) =>
    register(core.deps, { phoneNumber, username: null, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice');
  const bob = await make('+15550100002', 'Bob');
  const send = async (from: UserId, to: UserId, content: string) => {
    core.clock.advance(1000);
    return (await sendMessage(core.deps, { senderId: from, receiverId: to, content })).message;
  };
  const logOf = async (userId: UserId) =>
    (await core.deps.events.readAfter(userId, 0, 100)).filter((e) => e.type !== 'new-message');
  const unread = async (userId: UserId) =>
    (await listConversations(core.deps, { userId, limit: 10, offset: 0 }))[0];
  return { ...core, alice, bob, send, logOf, unread };
}

describe('markRead', () => {
  it('clears the unread count, tells the reader’s devices and the sender', async () => {
    const { deps, alice, bob, send, logOf, unread, clock } = await world();
    const m1 = await send(bob.id, alice.id, 'one');
    const m2 = await send(bob.id, alice.id, 'two');
    await send(alice.id, bob.id, 'mine');
    const m3 = await send(bob.id, alice.id, 'three');
    expect(await unread(alice.id)).toMatchObject({ unreadCount: 3, lastRead: null });
    expect(await unreadTotal(deps, alice.id)).toBe(3);

    clock.advance(500);
    const state = await markRead(deps, {
      userId: alice.id,
      peerId: bob.id,
      upTo: m2.id,
      connectionId: 'phone',
    });
    expect(state).toEqual({ peerId: bob.id, upTo: m2.id, readAt: clock.now() });
    expect(await unread(alice.id)).toMatchObject({
      unreadCount: 1,
      lastRead: { messageId: m2.id, readAt: clock.now() },
    });
    expect(await logOf(alice.id)).toMatchObject([
      { type: 'conversation-read', peerId: bob.id, upTo: m2.id, readAt: clock.now() },
    ]);
    expect(await logOf(bob.id)).toMatchObject([
      { type: 'messages-read', by: alice.id, upTo: m2.id, readAt: clock.now() },
    ]);
    const pushed = deps.notifier as unknown as { sent: { exceptConnectionId?: string }[] };
    expect(pushed.sent.at(-2)).toMatchObject({ exceptConnectionId: 'phone' });

    // An older mark changes nothing; a newer one moves on.
    expect(await markRead(deps, { userId: alice.id, peerId: bob.id, upTo: m1.id })).toEqual(state);
    expect(await logOf(bob.id)).toHaveLength(1);
    await markRead(deps, { userId: alice.id, peerId: bob.id, upTo: m3.id });
    expect(await unread(alice.id)).toMatchObject({ unreadCount: 0 });
    // Bob has not read Alice's message: reading is per side.
    expect(await unread(bob.id)).toMatchObject({ unreadCount: 1 });
  });

  it('sends no receipt when either party turned read receipts off, or blocks', async () => {
    const { deps, alice, bob, send, logOf } = await world();
    const m1 = await send(bob.id, alice.id, 'one');
    await updateAccount(deps, { userId: bob.id, readReceipts: false });
    await markRead(deps, { userId: alice.id, peerId: bob.id, upTo: m1.id });
    expect(await logOf(bob.id)).toEqual([]);
    expect(await logOf(alice.id)).toHaveLength(1);

    await updateAccount(deps, { userId: bob.id, readReceipts: true });
    await updateAccount(deps, { userId: alice.id, readReceipts: false });
    const m2 = await send(bob.id, alice.id, 'two');
    await markRead(deps, { userId: alice.id, peerId: bob.id, upTo: m2.id });
    expect(await logOf(bob.id)).toEqual([]);

    await updateAccount(deps, { userId: alice.id, readReceipts: true });
    const m3 = await send(bob.id, alice.id, 'three');
    await deps.blocks.block({ blockerId: alice.id, blockedId: bob.id, blockedAt: new Date() });
    await markRead(deps, { userId: alice.id, peerId: bob.id, upTo: m3.id });
    expect(await logOf(bob.id)).toEqual([]);
  });

  it('refuses a peer without a conversation and a message of another one', async () => {
    const { deps, alice, bob, send } = await world();
    const carol = (
      await register(deps, {
        phoneNumber: '+15550100003',
        username: null,
        displayName: 'Carol',
        password: 'password1',
      })
    ).user;
    const other = await send(carol.id, bob.id, 'hi bob');
    await expect(
      markRead(deps, { userId: alice.id, peerId: bob.id, upTo: other.id }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await send(bob.id, alice.id, 'hi alice');
    await expect(
      markRead(deps, { userId: alice.id, peerId: bob.id, upTo: other.id }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'upTo' }] });
  });
});
