import { describe, expect, it } from 'vitest';
import { createMemoryPushSender } from '../../../adapters/memory/push-sender.js';
import { createCallWorld, useFakeTimersPerTest } from '../../../test/support/signaling.js';
import type { PushRegistration, SessionId, UserId } from '../../model.js';
import { sendMessage } from '../send-message.js';
import { markRead } from '../sync/mark-read.js';
import { acceptCall } from './accept-call.js';
import { deliverPendingCall } from './deliver-pending-call.js';

useFakeTimersPerTest();

const webPush: PushRegistration = {
  kind: 'webpush',
  endpoint: 'https://push.example.net/p/1',
  keys: { p256dh: 'k', auth: 'a' },
};
const fcm: PushRegistration = { kind: 'fcm', token: 'fcm-token' };

/** A world whose push sender takes Web Push and FCM; Bob has two registered devices. */
async function pushWorld() {
  const pushes = createMemoryPushSender({ kinds: ['webpush', 'fcm'] });
  const w = await createCallWorld({ pushes });
  const device = async (userId: UserId, push: PushRegistration | null) => {
    const id = w.deps.ids.newId() as SessionId;
    const now = w.clock.now();
    await w.deps.sessions.create({
      id,
      userId,
      deviceName: 'Phone',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
    if (push !== null) await w.deps.sessions.setPush(userId, id, push);
    return id;
  };
  const phone = await device(w.bob.id, webPush);
  const tablet = await device(w.bob.id, fcm);
  await device(w.bob.id, null);
  // Sessions of one millisecond have no order; pushes are compared by session id.
  const byTo = <T extends { to: string }>(list: T[]) =>
    list.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const sent = () => byTo(pushes.sent.map((d) => ({ to: d.sessionId as string, ...d.message })));
  return { ...w, pushes, phone, tablet, sent, byTo };
}

describe('call pushes', () => {
  it('rings a callee with no socket on every registered device, with the deadline', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    expect(await a1.callUser({ to: w.bob.id, callId: 'c', media: 'video' })).toEqual({
      callId: 'c',
      outcome: 'ringing',
    });
    const call = {
      type: 'call',
      callId: 'c',
      from: w.alice.id,
      fromDisplayName: 'Alice',
      media: 'video',
      deadline: new Date(w.clock.now().getTime() + w.deps.ringTimeoutMs),
    };
    expect(w.sent()).toEqual(
      w.byTo([
        { to: w.phone, ...call },
        { to: w.tablet, ...call },
      ]),
    );
    expect(a1.inbox).toEqual([{ type: 'call-ringing', payload: { callId: 'c', to: w.bob.id } }]);
  });

  it('still ends call-unavailable when push is off or no device is registered', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    expect((await a1.callUser({ to: w.bob.id, callId: 'c' })).outcome).toBe('unavailable');
    const v = await pushWorld();
    const v1 = await v.connect(v.alice, 'a1');
    expect((await v1.callUser({ to: v.carol.id, callId: 'c' })).outcome).toBe('unavailable');
    expect(v.pushes.sent).toEqual([]);
  });

  it('never pushes a call from a blocked caller', async () => {
    const w = await pushWorld();
    await w.deps.blocks.block({
      blockerId: w.bob.id,
      blockedId: w.alice.id,
      blockedAt: w.clock.now(),
    });
    const a1 = await w.connect(w.alice, 'a1');
    expect((await a1.callUser({ to: w.bob.id, callId: 'c' })).outcome).toBe('unavailable');
    expect(w.pushes.sent).toEqual([]);
  });

  it('cancels on every pushed device when the caller hangs up', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    await a1.callUser({ to: w.bob.id, callId: 'c' });
    w.pushes.sent.length = 0;
    await a1.hangUp('c');
    expect(w.sent()).toEqual(
      w.byTo([
        { to: w.phone, type: 'call-cancel', callId: 'c', reason: 'hangup' },
        { to: w.tablet, type: 'call-cancel', callId: 'c', reason: 'hangup' },
      ]),
    );
    expect((await w.history('c'))?.status).toBe('missed');
  });

  it('cancels with timeout when nobody answers, and the call is missed', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    await a1.callUser({ to: w.bob.id, callId: 'c' });
    w.pushes.sent.length = 0;
    await w.advance(w.deps.ringTimeoutMs);
    // The cancel, then the wake for the missed-call event the ring timeout logs.
    expect(w.pushes.sent.map((d) => d.message.type)).toEqual([
      'call-cancel',
      'call-cancel',
      'sync',
      'sync',
    ]);
    expect(w.sent()).toEqual(
      w.byTo([
        { to: w.phone, type: 'call-cancel', callId: 'c', reason: 'timeout' },
        { to: w.tablet, type: 'call-cancel', callId: 'c', reason: 'timeout' },
        { to: w.phone, type: 'sync', seq: 1, badge: 0 },
        { to: w.tablet, type: 'sync', seq: 1, badge: 0 },
      ]),
    );
    expect(await w.history('c')).toMatchObject({ status: 'missed', endReason: 'timeout' });
  });

  it('wakes the devices of a user with no socket when a message is logged for them, and no one online', async () => {
    const w = await pushWorld();
    await sendMessage(w.deps, { senderId: w.alice.id, receiverId: w.bob.id, content: 'hi' });
    expect(w.sent()).toEqual(
      w.byTo([
        { to: w.phone, type: 'sync', seq: 1, badge: 1 },
        { to: w.tablet, type: 'sync', seq: 1, badge: 1 },
      ]),
    );
    expect(JSON.stringify(w.pushes.sent)).not.toContain('hi');
    w.pushes.sent.length = 0;
    await w.connect(w.bob, 'b1');
    await sendMessage(w.deps, { senderId: w.alice.id, receiverId: w.bob.id, content: 'again' });
    expect(w.pushes.sent).toEqual([]);
  });

  it('counts the badge as the unread messages of every conversation, and a read clears it', async () => {
    const w = await pushWorld();
    const { carol } = w;
    // A millisecond apart: messages of one millisecond have no order (random ids).
    await sendMessage(w.deps, { senderId: w.alice.id, receiverId: w.bob.id, content: 'one' });
    await w.advance(1);
    const two = await sendMessage(w.deps, {
      senderId: w.alice.id,
      receiverId: w.bob.id,
      content: 'two',
    });
    await sendMessage(w.deps, { senderId: carol.id, receiverId: w.bob.id, content: 'three' });
    expect(w.pushes.sent.map((d) => d.message)).toContainEqual({ type: 'sync', seq: 3, badge: 3 });
    await markRead(w.deps, { userId: w.bob.id, peerId: w.alice.id, upTo: two.message.id });
    w.pushes.sent.length = 0;
    await sendMessage(w.deps, { senderId: carol.id, receiverId: w.bob.id, content: 'four' });
    expect(w.pushes.sent.map((d) => d.message)).toContainEqual(
      expect.objectContaining({ type: 'sync', badge: 2 }),
    );
  });

  it('rings a device that connects within the window, which can accept; the others are cancelled', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    await a1.callUser({ to: w.bob.id, callId: 'c', sdp: 'offer' });
    w.pushes.sent.length = 0;
    const b1 = await w.connect(w.bob, 'b1');
    expect(await deliverPendingCall(w.deps, { userId: w.bob.id, connectionId: 'b1' })).toBe(true);
    expect(b1.inbox).toEqual([
      {
        type: 'call-user',
        payload: { callId: 'c', from: w.alice.id, fromDisplayName: 'Alice', media: 'audio' },
      },
    ]);
    await acceptCall(w.deps, {
      userId: w.bob.id,
      connectionId: 'b1',
      sessionId: w.phone,
      payload: { callId: 'c' },
    });
    expect(w.sent()).toEqual([
      { to: w.tablet, type: 'call-cancel', callId: 'c', reason: 'answered-elsewhere' },
    ]);
    expect(a1.received('call-accepted')).toHaveLength(1);
    await b1.hangUp('c');
    expect(w.pushes.sent).toHaveLength(1);
    expect(await w.history('c')).toMatchObject({ status: 'completed', endReason: 'hangup' });
  });

  it('keeps ringing pushed devices when a woken device leaves without answering', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    await a1.callUser({ to: w.bob.id, callId: 'c' });
    const b1 = await w.connect(w.bob, 'b1');
    expect(await b1.close()).toBe(false);
    expect((await w.live('c'))?.state).toBe('ringing');
  });

  it('rings no one after the call stopped ringing, and rings the callee only', async () => {
    const w = await pushWorld();
    const a1 = await w.connect(w.alice, 'a1');
    await a1.callUser({ to: w.bob.id, callId: 'c' });
    expect(await deliverPendingCall(w.deps, { userId: w.alice.id, connectionId: 'a2' })).toBe(
      false,
    );
    await a1.hangUp('c');
    await w.connect(w.bob, 'b1');
    expect(await deliverPendingCall(w.deps, { userId: w.bob.id, connectionId: 'b1' })).toBe(false);
  });
});
