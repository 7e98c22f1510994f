import { describe, expect, it, vi } from 'vitest';
import { createCoreDeps } from '../../../test/support/core-deps.js';
import { useFakeTimersPerTest } from '../../../test/support/signaling.js';
import type { UserId } from '../../model.js';
import { register } from '../register.js';
import { sendMessage } from '../send-message.js';
import { updateAccount } from '../update-account.js';
import { sendTyping, TYPING_TIMEOUT_MS } from './send-typing.js';

useFakeTimersPerTest();

async function world() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, displayName: string) =>
    register(core.deps, { phoneNumber, username: null, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice');
  const bob = await make('+15550100002', 'Bob');
  const carol = await make('+15550100003', 'Carol');
  await sendMessage(core.deps, { senderId: alice.id, receiverId: bob.id, content: 'hi' });
  const typingTo = (userId: UserId) =>
    core.notifier.sent
      .filter((s) => s.userId === userId && s.notification.type === 'typing')
      .map((s) => s.notification);
  return { ...core, alice, bob, carol, typingTo };
}

describe('sendTyping', () => {
  it('pushes typing to a conversation partner and ends an active one not refreshed', async () => {
    const { deps, alice, bob, typingTo } = await world();
    await sendTyping(deps, { userId: alice.id, to: bob.id, active: true });
    expect(typingTo(bob.id)).toEqual([{ type: 'typing', from: alice.id, active: true }]);
    await vi.advanceTimersByTimeAsync(TYPING_TIMEOUT_MS - 1000);
    await sendTyping(deps, { userId: alice.id, to: bob.id, active: true });
    await vi.advanceTimersByTimeAsync(TYPING_TIMEOUT_MS - 1000);
    expect(typingTo(bob.id)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(typingTo(bob.id).at(-1)).toEqual({ type: 'typing', from: alice.id, active: false });
    expect(await deps.events.head(bob.id)).toBe(1);
  });

  it('tells nobody outside a conversation, with indicators off, or across a block', async () => {
    const { deps, alice, bob, carol, typingTo } = await world();
    await sendTyping(deps, { userId: carol.id, to: bob.id, active: true });
    await updateAccount(deps, { userId: bob.id, typingIndicators: false });
    await sendTyping(deps, { userId: alice.id, to: bob.id, active: true });
    await updateAccount(deps, { userId: bob.id, typingIndicators: true });
    await deps.blocks.block({ blockerId: bob.id, blockedId: alice.id, blockedAt: new Date() });
    await sendTyping(deps, { userId: alice.id, to: bob.id, active: true });
    expect(typingTo(bob.id)).toEqual([]);
    await expect(
      sendTyping(deps, { userId: alice.id, to: alice.id, active: true }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
