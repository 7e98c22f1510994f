import { describe, expect, it, vi } from 'vitest';
import { createCoreDeps } from '../../../test/support/core-deps.js';
import type { UserId } from '../../model.js';
import { blockUser } from '../blocking/index.js';
import { listMessages } from '../list-messages.js';
import { register } from '../register.js';
import { sendMessage } from '../send-message.js';
import { updateAccount } from '../update-account.js';
import { ACK_WINDOW, acknowledgeEvents, acknowledgeUpTo } from './acknowledge.js';
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
  const delivered = async (userId: UserId) =>
    (await core.deps.events.readAfter(userId, 0, 10_000)).filter(
      (e) => e.type === 'message-delivered',
    );
  const head = (userId: UserId) => core.deps.events.head(userId);
  const history = (userId: UserId, peerId: UserId) =>
    listMessages(core.deps, { userId, peerId, limit: 50, offset: 0 });
  return { ...core, alice, bob, send, delivered, head, history };
}

describe('acknowledgeUpTo', () => {
  it('marks the acked messages from others delivered once and tells their sender', async () => {
    const { deps, clock, alice, bob, send, delivered, head, history } = await world();
    const m1 = await send(alice.id, bob.id, 'one');
    await send(bob.id, alice.id, 'mine');
    const m2 = await send(alice.id, bob.id, 'two');
    const upToM1 = 1; // Bob's log: m1, mine, m2.
    clock.advance(500);
    const firstAck = clock.now();
    await acknowledgeUpTo(deps, { userId: bob.id, seq: upToM1 });
    expect(await delivered(alice.id)).toMatchObject([
      { type: 'message-delivered', messageId: m1.id, to: bob.id, deliveredAt: firstAck },
    ]);

    clock.advance(500);
    await acknowledgeUpTo(deps, { userId: bob.id, seq: await head(bob.id) });
    // Again, from another device, later: the first ack stands, nothing logged twice.
    clock.advance(500);
    await acknowledgeUpTo(deps, { userId: bob.id, seq: await head(bob.id) });
    const events = await delivered(alice.id);
    expect(events.map((e) => e.type === 'message-delivered' && e.messageId)).toEqual([
      m1.id,
      m2.id,
    ]);
    expect(await delivered(bob.id)).toEqual([]);
    const listed = await history(alice.id, bob.id);
    expect(listed.find((m) => m.id === m1.id)?.deliveredAt).toEqual(firstAck);
    expect(listed.find((m) => m.id === m2.id)?.deliveredAt).toEqual(
      new Date(firstAck.getTime() + 500),
    );
    expect(listed.find((m) => m.content === 'mine')?.deliveredAt).toBeNull();
  });

  it('covers only the ACK_WINDOW events up to seq, and refuses a negative seq', async () => {
    const { deps, alice, bob, delivered } = await world();
    await expect(acknowledgeUpTo(deps, { userId: bob.id, seq: -1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await acknowledgeUpTo(deps, { userId: bob.id, seq: 0 });
    const sent = [];
    for (let n = 0; n < ACK_WINDOW + 2; n++) {
      sent.push(
        (await sendMessage(deps, { senderId: alice.id, receiverId: bob.id, content: `${n}` }))
          .message,
      );
    }
    await acknowledgeUpTo(deps, { userId: bob.id, seq: ACK_WINDOW + 2 });
    const ids = (await delivered(alice.id)).map(
      (e) => e.type === 'message-delivered' && e.messageId,
    );
    expect(ids).toEqual(sent.slice(2).map((m) => m.id));
  });

  it('writes no mark again for what is delivered already: one read covers a repeated window', async () => {
    const { deps, alice, bob, send, head } = await world();
    for (let n = 0; n < 5; n++) await send(alice.id, bob.id, `m${n}`);
    const record = vi.spyOn(deps.deliveries, 'record');
    await acknowledgeUpTo(deps, { userId: bob.id, seq: await head(bob.id) });
    expect(record).toHaveBeenCalledTimes(5);
    await send(alice.id, bob.id, 'new');
    await acknowledgeUpTo(deps, { userId: bob.id, seq: await head(bob.id) });
    expect(record).toHaveBeenCalledTimes(6);
    expect(record.mock.calls.at(-1)![0]).toMatchObject({ content: 'new' });
  });

  it('logs nothing across a block, either way, and marks nothing', async () => {
    const { deps, alice, bob, send, delivered, head, history } = await world();
    await send(alice.id, bob.id, 'one');
    await blockUser(deps, { blockerId: alice.id, blockedId: bob.id });
    await acknowledgeUpTo(deps, { userId: bob.id, seq: await head(bob.id) });
    expect(await delivered(alice.id)).toEqual([]);
    expect((await history(alice.id, bob.id))[0]?.deliveredAt).toBeNull();
  });

  it('delivers whatever the read receipt settings', async () => {
    const { deps, alice, bob, send, delivered } = await world();
    await updateAccount(deps, { userId: bob.id, readReceipts: false });
    const m = await send(alice.id, bob.id, 'one');
    await acknowledgeEvents(deps, bob.id, await deps.events.readAfter(bob.id, 0, 10));
    expect(await delivered(alice.id)).toMatchObject([{ messageId: m.id, to: bob.id }]);
  });
});

describe('listMessages receipts', () => {
  it('shows readAt from the peer’s read mark while both have read receipts on', async () => {
    const { deps, clock, alice, bob, send, history } = await world();
    const m1 = await send(alice.id, bob.id, 'one');
    const m2 = await send(alice.id, bob.id, 'two');
    clock.advance(100);
    await markRead(deps, { userId: bob.id, peerId: alice.id, upTo: m1.id });
    const readAt = clock.now();
    const byId = async (userId: UserId, peerId: UserId) =>
      new Map((await history(userId, peerId)).map((m) => [m.id, m.readAt]));
    expect(await byId(alice.id, bob.id)).toEqual(
      new Map([
        [m2.id, null],
        [m1.id, readAt],
      ]),
    );
    // The reader sees their own mark on the messages they got.
    expect((await byId(bob.id, alice.id)).get(m1.id)).toEqual(readAt);

    await updateAccount(deps, { userId: alice.id, readReceipts: false });
    expect((await byId(alice.id, bob.id)).get(m1.id)).toBeNull();
    await updateAccount(deps, { userId: alice.id, readReceipts: true });
    await blockUser(deps, { blockerId: bob.id, blockedId: alice.id });
    expect((await byId(alice.id, bob.id)).get(m1.id)).toBeNull();
  });
});
