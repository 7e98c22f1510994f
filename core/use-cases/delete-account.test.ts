import { describe, expect, it } from 'vitest';
import { createPlainBundle } from '../../test/support/libsignal-keys.js';
import { createPresenceWorld } from '../../test/support/presence.js';
import { ongoingCall, useFakeTimersPerTest } from '../../test/support/signaling.js';
import type { UserId } from '../model.js';
import { authenticate } from './authenticate.js';
import { blockUser } from './blocking/block-user.js';
import { listBlocked } from './blocking/list-blocked.js';
import { deleteAccount, finishPendingDeletions } from './delete-account.js';
import { findByUsername } from './find-by-username.js';
import { getProfile } from './get-profile.js';
import { listConversations } from './list-conversations.js';
import { listMessages } from './list-messages.js';
import { login } from './login.js';
import { publishKeyBundle } from './publish-key-bundle.js';
import { register } from './register.js';
import { sendMessage } from './send-message.js';

const PASSWORD = 'password1';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

async function aliceWithEverything() {
  const w = await createPresenceWorld();
  await w.deps.users.update(w.alice.id, { username: 'alice_w' });
  const phone = await login(w.deps, { phoneNumber: w.alice.phoneNumber, password: PASSWORD });
  const laptop = await login(w.deps, { phoneNumber: w.alice.phoneNumber, password: PASSWORD });
  await publishKeyBundle(w.deps, { userId: w.alice.id, ...createPlainBundle({ oneTimeIds: [1] }) });
  await blockUser(w.deps, { blockerId: w.alice.id, blockedId: w.bob.id });
  await blockUser(w.deps, { blockerId: w.carol.id, blockedId: w.alice.id });
  await w.deps.presenceSubscriptions.subscribe({ userId: w.bob.id, connectionId: 'b1' }, [
    w.alice.id,
    w.carol.id,
  ]);
  return { w, phone, laptop };
}

describe('deleteAccount', () => {
  it('refuses a wrong password as login does, and deletes nothing', async () => {
    const { w, phone } = await aliceWithEverything();
    expect(await codeOf(deleteAccount(w.deps, { userId: w.alice.id, password: 'wrong one' }))).toBe(
      'INVALID_CREDENTIALS',
    );
    await expect(authenticate(w.deps, phone.token)).resolves.toBeDefined();
    expect(await w.deps.keyBundles.find(w.alice.id)).not.toBeNull();
  });

  it('removes the user, its sessions, keys, blocks and subscriptions to it; frees its phone and username', async () => {
    const { w, phone, laptop } = await aliceWithEverything();
    await w.deps.events.append(
      w.alice.id,
      { type: 'conversation-read', peerId: w.bob.id, upTo: 'm' as never, readAt: w.clock.now() },
      w.clock.now(),
    );
    await deleteAccount(w.deps, { userId: w.alice.id, password: PASSWORD });
    expect(await w.deps.events.head(w.alice.id)).toBe(0);

    for (const session of [phone, laptop]) {
      expect(await codeOf(authenticate(w.deps, session.token))).toBe('UNAUTHENTICATED');
    }
    expect(w.endedSessions.map((s) => s.sessionId)).toEqual(
      expect.arrayContaining([phone.sessionId, laptop.sessionId]),
    );
    expect(await w.deps.sessions.listForUser(w.alice.id, w.clock.now())).toEqual([]);
    expect(await codeOf(getProfile(w.deps, { userId: w.alice.id, caller: w.bob }))).toBe(
      'USER_NOT_FOUND',
    );
    expect(await codeOf(findByUsername(w.deps, { username: 'alice_w', callerId: w.bob.id }))).toBe(
      'USER_NOT_FOUND',
    );
    expect(
      await codeOf(login(w.deps, { phoneNumber: w.alice.phoneNumber, password: PASSWORD })),
    ).toBe('INVALID_CREDENTIALS');
    expect(await w.deps.keyBundles.find(w.alice.id)).toBeNull();
    expect(await w.deps.blocks.find(w.alice.id, w.bob.id)).toBeNull();
    expect(await listBlocked(w.deps, { blockerId: w.carol.id })).toEqual([]);
    expect(await w.deps.blocks.find(w.carol.id, w.alice.id)).toBeNull();
    expect(await w.deps.presenceSubscriptions.subscribersOf(w.alice.id)).toEqual([]);
    expect(await w.deps.presenceSubscriptions.subscribersOf(w.carol.id)).toHaveLength(1);
    expect(await w.deps.users.pendingDeletions(10)).toEqual([]);

    // The phone number and the username are free; the new account is someone else.
    const again = await register(w.deps, {
      phoneNumber: w.alice.phoneNumber,
      username: 'Alice_W',
      displayName: 'New Alice',
      password: PASSWORD,
    });
    expect(again.user.id).not.toBe(w.alice.id);
    // Bob's session was never touched.
    expect(w.endedSessions.every((s) => s.userId === w.alice.id)).toBe(true);
  });

  it('finishes, on the sweep, a deletion a crash cut short after the removal', async () => {
    const { w, phone } = await aliceWithEverything();
    // The crash: the user is removed, nothing else happened.
    await w.deps.users.delete(w.alice.id, w.clock.now());
    expect(await codeOf(authenticate(w.deps, phone.token))).toBe('UNAUTHENTICATED');
    expect(await w.deps.users.pendingDeletions(10)).toEqual([w.alice.id]);

    expect(await finishPendingDeletions(w.deps)).toBe(1);
    expect(await w.deps.sessions.listForUser(w.alice.id, w.clock.now())).toEqual([]);
    expect(w.endedSessions.map((s) => s.sessionId)).toContain(phone.sessionId);
    expect(await w.deps.keyBundles.find(w.alice.id)).toBeNull();
    expect(await w.deps.blocks.find(w.carol.id, w.alice.id)).toBeNull();
    expect(await w.deps.users.pendingDeletions(10)).toEqual([]);
    expect(await finishPendingDeletions(w.deps)).toBe(0);
  });

  it('keeps a deletion that fails pending for the next sweep and finishes the others', async () => {
    const { w } = await aliceWithEverything();
    await w.deps.users.delete(w.alice.id, w.clock.now());
    await w.deps.users.delete(w.dave.id, w.clock.now());
    const failing = {
      ...w.deps,
      keyBundles: {
        ...w.deps.keyBundles,
        async remove(userId: UserId) {
          if (userId === w.alice.id) throw new Error('store down');
          return w.deps.keyBundles.remove(userId);
        },
      },
    };
    const errors: UserId[] = [];
    expect(await finishPendingDeletions(failing, { onError: (id) => errors.push(id) })).toBe(1);
    expect(errors).toEqual([w.alice.id]);
    expect(await w.deps.users.pendingDeletions(10)).toEqual([w.alice.id]);
    expect(await finishPendingDeletions(w.deps)).toBe(1);
  });
});

describe('what becomes of shared conversations', () => {
  it('keeps them for the other party, and erases them once neither can read them', async () => {
    const w = await createPresenceWorld();
    // A millisecond apart: messages of one millisecond have no order (random ids).
    const send = async (senderId: UserId, receiverId: UserId, content: string) => {
      w.clock.advance(1);
      return sendMessage(w.deps, { senderId, receiverId, content });
    };
    const toBob = await send(w.alice.id, w.bob.id, 'hi Bob');
    await w.deps.deliveries.record(toBob.message, w.clock.now());
    await send(w.bob.id, w.alice.id, 'hi Alice');
    const note = await send(w.alice.id, w.alice.id, 'note to self');
    await send(w.carol.id, w.bob.id, 'hi from Carol');
    const page = { limit: 10, offset: 0 };

    await deleteAccount(w.deps, { userId: w.alice.id, password: PASSWORD });
    // Bob keeps his copy; Alice's note to self is gone with her.
    const bobs = await listConversations(w.deps, { userId: w.bob.id, ...page });
    expect(bobs.map((v) => [v.peerId, v.peer?.displayName ?? null])).toEqual(
      expect.arrayContaining([
        [w.alice.id, null],
        [w.carol.id, 'Carol'],
      ]),
    );
    expect(
      (await listMessages(w.deps, { userId: w.bob.id, peerId: w.alice.id, ...page })).map(
        (m) => m.content,
      ),
    ).toEqual(['hi Alice', 'hi Bob']);
    expect((await w.deps.deliveries.find([toBob.message.id])).size).toBe(1);
    expect(await w.deps.messages.findById(note.message.id)).toBeNull();
    expect(await w.deps.conversations.find(w.alice.id, w.alice.id)).toBeNull();

    // Bob leaves too: nobody can read what the two shared; Carol keeps hers.
    await deleteAccount(w.deps, { userId: w.bob.id, password: PASSWORD });
    expect(await w.deps.messages.findById(toBob.message.id)).toBeNull();
    expect(await w.deps.deliveries.find([toBob.message.id])).toEqual(new Map());
    expect(await w.deps.conversations.find(w.alice.id, w.bob.id)).toBeNull();
    expect(await w.deps.messages.hasSent(w.alice.id, w.bob.id)).toBe(false);
    const carols = await listConversations(w.deps, { userId: w.carol.id, ...page });
    expect(carols.map((v) => [v.peerId, v.peer])).toEqual([[w.bob.id, null]]);
  });
});

describe('deleteAccount during a call', () => {
  useFakeTimersPerTest();

  it('ends a live call as disconnected for both sides', async () => {
    const call = await ongoingCall();
    await deleteAccount(call.w.deps, { userId: call.w.alice.id, password: PASSWORD });
    const ended = { type: 'call-ended', payload: { callId: 'c', reason: 'disconnected' } };
    expect(call.b2.received('call-ended')).toEqual([ended]);
    expect(await call.w.live('c')).toBeNull();
    // Bob keeps his history of the call.
    expect(await call.w.history('c')).toMatchObject({
      status: 'completed',
      endReason: 'disconnected',
    });
  });
});
