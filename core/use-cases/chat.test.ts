import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import type { UserId } from '../model.js';
import { listConversations } from './list-conversations.js';
import { listMessages } from './list-messages.js';
import { register } from './register.js';
import { sendMessage } from './send-message.js';

async function withUsers() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, displayName: string) =>
    register(core.deps, { phoneNumber, username: null, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice');
  const bob = await make('+15550100002', 'Bob');
  const carol = await make('+15550100003', 'Carol');
  const send = (from: UserId, to: string, content: string, extra: object = {}) => {
    core.clock.advance(1000);
    return sendMessage(core.deps, { senderId: from, receiverId: to, content, ...extra });
  };
  return { ...core, alice, bob, carol, send };
}

describe('sendMessage', () => {
  it('stores the message with defaults and the server time', async () => {
    const { alice, bob, send, clock } = await withUsers();
    const { message, created } = await send(alice.id, bob.id, 'hi');
    expect(created).toBe(true);
    expect(message).toMatchObject({
      senderId: alice.id,
      receiverId: bob.id,
      content: 'hi',
      messageType: 'text',
      clientMessageId: null,
      createdAt: clock.now(),
    });
  });

  it('logs new-message for the receiver and the sender, and pushes each with its seq', async () => {
    const { deps, alice, bob, send, notifier, clock } = await withUsers();
    const { message } = await send(alice.id, bob.id, 'hi', { senderConnectionId: 'phone' });
    const logged = { type: 'new-message', message, seq: 1, at: clock.now() };
    expect(notifier.sent).toEqual([
      { userId: bob.id, notification: logged, exceptConnectionId: undefined },
      { userId: alice.id, notification: logged, exceptConnectionId: 'phone' },
    ]);
    expect(await deps.events.readAfter(bob.id, 0, 10)).toEqual([logged]);
    expect(await deps.events.readAfter(alice.id, 0, 10)).toEqual([logged]);
    const reply = await send(bob.id, alice.id, 'hello');
    expect(await deps.events.readAfter(alice.id, 1, 10)).toEqual([
      { type: 'new-message', message: reply.message, seq: 2, at: clock.now() },
    ]);
  });

  it('pushes a note to self once, to every connection but the sending one', async () => {
    const { alice, send, notifier } = await withUsers();
    const { message } = await send(alice.id, alice.id, 'remember the milk', {
      senderConnectionId: 'laptop',
    });
    expect(message.receiverId).toBe(alice.id);
    expect(notifier.sent).toEqual([
      {
        userId: alice.id,
        notification: { type: 'new-message', message, seq: 1, at: message.createdAt },
        exceptConnectionId: 'laptop',
      },
    ]);
  });

  it('returns the first message for a retried clientMessageId and stores and pushes nothing new', async () => {
    const { deps, alice, bob, send, notifier } = await withUsers();
    const first = await send(alice.id, bob.id, 'hello', { clientMessageId: 'm-1' });
    const retry = await send(alice.id, bob.id, 'different content', { clientMessageId: 'm-1' });
    expect(retry).toEqual({ message: first.message, created: false });
    expect(notifier.sent).toHaveLength(2);
    expect(
      await listMessages(deps, { userId: alice.id, peerId: bob.id, limit: 10, offset: 0 }),
    ).toHaveLength(1);
  });

  it('stores exactly one message when two retries with one clientMessageId race', async () => {
    const { deps, alice, bob } = await withUsers();
    const input = { senderId: alice.id, receiverId: bob.id, content: 'x', clientMessageId: 'race' };
    const [a, b] = await Promise.all([sendMessage(deps, input), sendMessage(deps, input)]);
    expect(a.message.id).toBe(b.message.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
  });

  it('keeps clientMessageIds separate per sender', async () => {
    const { alice, bob, send } = await withUsers();
    const a = await send(alice.id, bob.id, 'from alice', { clientMessageId: 'same' });
    const b = await send(bob.id, alice.id, 'from bob', { clientMessageId: 'same' });
    expect(b.created).toBe(true);
    expect(b.message.id).not.toBe(a.message.id);
  });

  it('answers USER_NOT_FOUND for an unknown or malformed receiver', async () => {
    const { alice, send } = await withUsers();
    for (const to of ['65a1b2c3d4e5f60718293a4b', 'junk']) {
      await expect(send(alice.id, to, 'hi')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    }
  });

  it.each([
    ['content', { content: '' }],
    ['content', { content: 'a'.repeat(65_537) }],
    ['content', { content: 'lone \udc00' }],
    ['messageType', { messageType: 'Text' }],
    ['messageType', { messageType: 'a'.repeat(33) }],
    ['messageType', { messageType: '' }],
    ['clientMessageId', { clientMessageId: '' }],
    ['clientMessageId', { clientMessageId: 'c'.repeat(65) }],
  ])('refuses a bad %s', async (path, patch) => {
    const { deps, alice, bob } = await withUsers();
    await expect(
      sendMessage(deps, { senderId: alice.id, receiverId: bob.id, content: 'ok', ...patch }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path }] });
  });

  it('accepts 65 536 code points of content even when that is more UTF-16 units', async () => {
    const { alice, bob, send } = await withUsers();
    await expect(send(alice.id, bob.id, '😀'.repeat(65_536))).resolves.toMatchObject({
      created: true,
    });
  });
});

describe('listConversations', () => {
  it('lists the caller’s conversations newest first with the peer and last message', async () => {
    const { deps, alice, bob, carol, send } = await withUsers();
    await send(alice.id, bob.id, 'to bob');
    const last = await send(carol.id, alice.id, 'from carol');
    const toBob = await send(bob.id, alice.id, 'bob again');
    const list = await listConversations(deps, { userId: alice.id, limit: 50, offset: 0 });
    expect(list.map((c) => c.peer?.id)).toEqual([bob.id, carol.id]);
    expect(list[0]?.conversation.lastMessage).toEqual(toBob.message);
    expect(list[0]?.conversation.id).toBe(toBob.message.conversationId);
    expect(list[1]?.conversation.lastMessage).toEqual(last.message);
    expect(list[0]?.conversation.participants).toEqual([alice.id, bob.id].sort());
  });

  it('shows a note-to-self conversation with the caller as both participants and peer', async () => {
    const { deps, alice, send } = await withUsers();
    await send(alice.id, alice.id, 'note');
    const [only] = await listConversations(deps, { userId: alice.id, limit: 50, offset: 0 });
    expect(only?.conversation.participants).toEqual([alice.id, alice.id]);
    expect(only?.peer?.id).toBe(alice.id);
  });

  it('pages with limit and offset and never shows other pairs’ conversations', async () => {
    const { deps, alice, bob, carol, send } = await withUsers();
    await send(alice.id, bob.id, '1');
    await send(alice.id, carol.id, '2');
    await send(bob.id, carol.id, 'not alice’s');
    const page = await listConversations(deps, { userId: alice.id, limit: 1, offset: 1 });
    expect(page.map((c) => c.peer?.id)).toEqual([bob.id]);
    const all = await listConversations(deps, { userId: alice.id, limit: 50, offset: 0 });
    expect(all).toHaveLength(2);
  });
});

describe('listMessages', () => {
  it('lists the pair’s messages newest first, both directions, nothing of others', async () => {
    const { deps, alice, bob, carol, send } = await withUsers();
    const m1 = await send(alice.id, bob.id, '1');
    const m2 = await send(bob.id, alice.id, '2');
    await send(alice.id, carol.id, 'other');
    const list = await listMessages(deps, {
      userId: alice.id,
      peerId: bob.id,
      limit: 30,
      offset: 0,
    });
    expect(list.map((m) => m.id)).toEqual([m2.message.id, m1.message.id]);
  });

  it('pages with before, then offset within the older messages', async () => {
    const { deps, alice, bob, send } = await withUsers();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push((await send(alice.id, bob.id, `m${i}`)).message);
    const page = await listMessages(deps, {
      userId: bob.id,
      peerId: alice.id,
      limit: 2,
      offset: 1,
      before: sent[3]!.id,
    });
    expect(page.map((m) => m.content)).toEqual(['m1', 'm0']);
  });

  it('orders messages with the same createdAt by id', async () => {
    const { deps, alice, bob } = await withUsers();
    const input = { senderId: alice.id, receiverId: bob.id };
    const a = await sendMessage(deps, { ...input, content: 'a' });
    const b = await sendMessage(deps, { ...input, content: 'b' });
    expect(a.message.createdAt).toEqual(b.message.createdAt);
    const list = await listMessages(deps, {
      userId: alice.id,
      peerId: bob.id,
      limit: 30,
      offset: 0,
    });
    // Ids carry no order of their own: the larger id is the newer message.
    const [newer, older] = a.message.id > b.message.id ? [a, b] : [b, a];
    expect(list.map((m) => m.content)).toEqual([newer.message.content, older.message.content]);
    const before = await listMessages(deps, {
      userId: alice.id,
      peerId: bob.id,
      limit: 30,
      offset: 0,
      before: newer.message.id,
    });
    expect(before.map((m) => m.content)).toEqual([older.message.content]);
  });

  it('refuses a before that is unknown, malformed or from another conversation', async () => {
    const { deps, alice, bob, carol, send } = await withUsers();
    await send(alice.id, bob.id, 'x');
    const elsewhere = await send(alice.id, carol.id, 'y');
    for (const before of ['65a1b2c3d4e5f60718293a4b', 'junk', elsewhere.message.id]) {
      await expect(
        listMessages(deps, { userId: alice.id, peerId: bob.id, limit: 30, offset: 0, before }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'before' }] });
    }
  });

  it('answers [] when the pair never talked and USER_NOT_FOUND for an unknown peer', async () => {
    const { deps, alice, bob } = await withUsers();
    await expect(
      listMessages(deps, { userId: alice.id, peerId: bob.id, limit: 30, offset: 0 }),
    ).resolves.toEqual([]);
    await expect(
      listMessages(deps, { userId: alice.id, peerId: 'junk', limit: 30, offset: 0 }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
