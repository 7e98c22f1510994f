import { describe, expect, it } from 'vitest';
import { createPlainBundle } from '../../../test/support/libsignal-keys.js';
import { createPresenceWorld } from '../../../test/support/presence.js';
import {
  createCallWorld,
  ongoingCall,
  useFakeTimersPerTest,
} from '../../../test/support/signaling.js';
import { fetchBundle } from '../fetch-bundle.js';
import { findByUsername } from '../find-by-username.js';
import { getPresence } from '../get-presence.js';
import { listConversations } from '../list-conversations.js';
import { listMessages } from '../list-messages.js';
import { lookupByPhoneNumbers } from '../lookup-by-phone-numbers.js';
import { publishKeyBundle } from '../publish-key-bundle.js';
import { sendMessage } from '../send-message.js';
import { updateAccount } from '../update-account.js';
import { blockUser } from './block-user.js';
import { listBlocked } from './list-blocked.js';
import { unblockUser } from './unblock-user.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('blockUser, unblockUser, listBlocked', () => {
  it('lists blocks newest first with the profiles, keeps the first blockedAt, and unblocks', async () => {
    const w = await createPresenceWorld();
    const first = await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    w.clock.advance(1000);
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.dave.id });
    w.clock.advance(1000);
    const again = await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    expect(again.blockedAt).toEqual(first.blockedAt);
    const list = await listBlocked(w.deps, { blockerId: w.alice.id });
    expect(list.map((entry) => entry.user.displayName)).toEqual(['Dave', 'Bob']);
    expect(await listBlocked(w.deps, { blockerId: w.bob.id })).toEqual([]);

    await unblockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    await unblockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    await unblockUser(w.deps, { blockerId: w.alice.id, blockedId: 'not-an-id' });
    expect((await listBlocked(w.deps, { blockerId: w.alice.id })).map((e) => e.user.id)).toEqual([
      w.dave.id,
    ]);
  });

  it('refuses to block oneself (400) and unknown or malformed users (404)', async () => {
    const w = await createPresenceWorld();
    expect(await codeOf(blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.alice.id }))).toBe(
      'VALIDATION_FAILED',
    );
    for (const blockedId of ['65a1b2c3d4e5f60718293a4b', 'nope', '']) {
      expect(await codeOf(blockUser(w.deps, { blockerId: w.alice.id, blockedId }))).toBe(
        'USER_NOT_FOUND',
      );
    }
  });
});

describe('a blocked user messaging the blocker', () => {
  it('gets an answer like a delivered message, but nothing is stored or delivered', async () => {
    const w = await createPresenceWorld();
    await sendMessage(w.deps, { senderId: w.alice.id, receiverId: w.bob.id, content: 'before' });
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    w.notifier.sent.length = 0;

    const sent = await sendMessage(w.deps, {
      senderId: w.bob.id,
      receiverId: w.alice.id,
      content: 'are you there?',
      senderConnectionId: 'b1',
    });
    expect(sent.created).toBe(true);
    expect(sent.message).toMatchObject({ senderId: w.bob.id, receiverId: w.alice.id });
    const [conversation] = await listConversations(w.deps, {
      userId: w.alice.id,
      limit: 10,
      offset: 0,
    });
    // Same conversation id as the real one, so the answer looks like any other.
    expect(sent.message.conversationId).toBe(conversation?.conversation.id);
    expect(conversation?.conversation.lastMessage.content).toBe('before');
    const history = await listMessages(w.deps, {
      userId: w.alice.id,
      peerId: w.bob.id,
      limit: 10,
      offset: 0,
    });
    expect(history.map((m) => m.content)).toEqual(['before']);
    // Bob's other devices see it as sent; Alice hears nothing.
    expect(
      w.notifier.sent.map((s) => [s.userId, s.notification.type, s.exceptConnectionId]),
    ).toEqual([[w.bob.id, 'new-message', 'b1']]);
  });

  it('delivers again after an unblock, and the blocker may still write to the blocked user', async () => {
    const w = await createPresenceWorld();
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    await sendMessage(w.deps, { senderId: w.alice.id, receiverId: w.bob.id, content: 'one way' });
    expect(w.notifier.sent.some((s) => s.userId === w.bob.id)).toBe(true);
    await unblockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    w.notifier.sent.length = 0;
    await sendMessage(w.deps, { senderId: w.bob.id, receiverId: w.alice.id, content: 'back' });
    expect(w.notifier.sent.map((s) => s.userId)).toContain(w.alice.id);
  });
});

describe('what a blocked user sees of the blocker', () => {
  it('presence pulls and subscriptions: offline since the block, pushes stay away until unblock', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.subscribe(w.carol, 'c1', [w.alice.id]);
    w.clock.advance(5000);
    const blockedAt = w.clock.now();
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.carol.id });
    // The partner and the subscriber each heard one last "offline"; nobody else did.
    expect(w.pushes()).toContainEqual({
      to: w.bob.id,
      about: w.alice.id,
      status: 'offline',
      lastSeen: blockedAt,
    });
    expect(w.pushes()).toContainEqual({
      to: w.carol.id,
      connectionId: 'c1',
      about: w.alice.id,
      status: 'offline',
      lastSeen: blockedAt,
    });
    expect(w.pushes().filter((p) => p.to === w.dave.id || p.to === w.erin.id)).toEqual([]);

    const pulled = await getPresence(w.deps, { userIds: [w.alice.id], callerId: w.bob.id });
    expect(pulled.get(w.alice.id)).toEqual({ status: 'offline', lastSeen: blockedAt });
    expect(
      (await getPresence(w.deps, { userIds: [w.alice.id], callerId: w.dave.id })).get(w.alice.id)
        ?.status,
    ).toBe('active');
    expect(await w.subscribe(w.bob, 'b1', [w.alice.id])).toEqual([
      { userId: w.alice.id, status: 'offline', lastSeen: blockedAt },
    ]);

    w.clear();
    await w.set(w.alice, 'a1', 'idle');
    expect(w.pushes().map((p) => p.to)).toEqual([]);

    await unblockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'idle', lastSeen: null },
    ]);
    w.clear();
    await w.set(w.alice, 'a1', 'active');
    expect(w.pushes().map((p) => p.to)).toEqual([w.bob.id]);
  });

  it('lookups by phone number and username do not find the blocker', async () => {
    const w = await createPresenceWorld();
    await updateAccount(w.deps, { userId: w.alice.id, username: 'alice' });
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    const phones = [w.alice.phoneNumber, w.carol.phoneNumber];
    expect(
      (await lookupByPhoneNumbers(w.deps, { phoneNumbers: phones, callerId: w.bob.id })).map(
        (p) => p.id,
      ),
    ).toEqual([w.carol.id]);
    expect(
      (await lookupByPhoneNumbers(w.deps, { phoneNumbers: phones, callerId: w.dave.id })).map(
        (p) => p.id,
      ),
    ).toEqual([w.alice.id, w.carol.id]);
    expect(await codeOf(findByUsername(w.deps, { username: 'ALICE', callerId: w.bob.id }))).toBe(
      'USER_NOT_FOUND',
    );
    expect((await findByUsername(w.deps, { username: 'ALICE', callerId: w.dave.id })).id).toBe(
      w.alice.id,
    );
  });

  it('key fetches hand out no one-time key, as if the pools were empty', async () => {
    const w = await createPresenceWorld();
    await publishKeyBundle(w.deps, {
      userId: w.alice.id,
      ...createPlainBundle({ oneTimeIds: [1, 2, 3] }),
    });
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    const fetched = await fetchBundle(w.deps, { requesterId: w.bob.id, ownerId: w.alice.id });
    expect(fetched.oneTimePreKey).toBeNull();
    expect((await w.deps.keyBundles.count(w.alice.id)).count).toBe(3);
    const other = await fetchBundle(w.deps, { requesterId: w.dave.id, ownerId: w.alice.id });
    expect(other.oneTimePreKey).not.toBeNull();
  });
});

describe('calls and blocks', () => {
  useFakeTimersPerTest();

  it('a blocked caller is never rung through: call-unavailable, as for an offline user, and no history', async () => {
    const w = await createCallWorld();
    const alice = await w.connect(w.alice, 'a1');
    const bob = await w.connect(w.bob, 'b1');
    await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
    const result = await bob.callUser({ to: w.alice.id, callId: 'blocked-call' });
    expect(result.outcome).toBe('unavailable');
    expect(bob.received('call-unavailable')).toEqual([
      {
        type: 'call-unavailable',
        payload: { callId: 'blocked-call', to: w.alice.id, reason: 'offline' },
      },
    ]);
    expect(alice.inbox.filter((f) => f.type.startsWith('call'))).toEqual([]);
    expect(await w.history('blocked-call')).toBeNull();
    expect(await w.live('blocked-call')).toBeNull();
    // The blocker can still call.
    expect((await alice.callUser({ to: w.bob.id, callId: 'other-way' })).outcome).toBe('ringing');
  });

  it('a block ends an ongoing call between the two as disconnected for both', async () => {
    const call = await ongoingCall();
    await blockUser(call.w.deps, { blockerId: call.w.bob.id, blockedId: call.w.alice.id });
    const ended = { type: 'call-ended', payload: { callId: 'c', reason: 'disconnected' } };
    expect(call.a1.received('call-ended')).toEqual([ended]);
    expect(call.b2.received('call-ended')).toEqual([ended]);
    expect(await call.w.live('c')).toBeNull();
    expect(await call.w.history('c')).toMatchObject({
      status: 'completed',
      endReason: 'disconnected',
    });
  });

  it('a block leaves a call with someone else alone', async () => {
    const call = await ongoingCall();
    await blockUser(call.w.deps, { blockerId: call.w.bob.id, blockedId: call.w.carol.id });
    expect(call.a1.received('call-ended')).toEqual([]);
    expect((await call.w.live('c'))?.state).toBe('accepted');
  });
});
