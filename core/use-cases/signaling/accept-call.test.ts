import { describe, expect, it } from 'vitest';
import { expectCode, ringingCall, useFakeTimersPerTest } from '../../../test/support/signaling.js';
import { createKeyedQueue } from '../../keyed-queue.js';
import { acceptCall } from './accept-call.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2, b3) with call `c`; Carol is on c1. */
const ringing = () => ringingCall({ bob: ['b1', 'b2', 'b3'], carol: ['c1'] });

describe('acceptCall', () => {
  it('tells the calling connection call-accepted and stops the other callee connections', async () => {
    const { w, a1, a2, b1, b2, b3 } = await ringing();
    w.clock.advance(4_000);

    await b2.accept('c', { sdp: 'answer-sdp', from: 'spoof', reason: 'spoof', callId: 'spoof' });

    expect(a1.inbox).toEqual([
      { type: 'call-accepted', payload: { callId: 'c', from: w.bob.id, sdp: 'answer-sdp' } },
    ]);
    expect(a2.inbox).toEqual([]);
    expect(b2.inbox).toEqual([]);
    const elsewhere = {
      type: 'call-ended',
      payload: { callId: 'c', reason: 'answered-elsewhere' },
    };
    expect(b1.inbox).toEqual([elsewhere]);
    expect(b3.inbox).toEqual([elsewhere]);
    expect(await w.live('c')).toMatchObject({
      state: 'accepted',
      calleeConnectionId: 'b2',
      answeredAt: w.clock.now(),
    });
    expect(await w.history('c')).toMatchObject({
      status: 'ongoing',
      answeredAt: w.clock.now(),
      endedAt: null,
      durationSec: null,
      endReason: null,
    });
  });

  it('lets exactly one of two connections accepting at once win', async () => {
    const { w, a1, b1, b2 } = await ringing();

    const results = await Promise.allSettled([b1.accept('c'), b2.accept('c')]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'NOT_IN_CALL' } });
    expect(a1.received('call-accepted')).toEqual([
      { type: 'call-accepted', payload: { callId: 'c', from: w.bob.id } },
    ]);
    // The loser hears answered-elsewhere before its refusal; the winner hears nothing.
    expect(b2.inbox).toEqual([
      { type: 'call-ended', payload: { callId: 'c', reason: 'answered-elsewhere' } },
    ]);
    expect(b1.inbox).toEqual([]);
    expect(await w.live('c')).toMatchObject({ calleeConnectionId: 'b1' });
  });

  it('lets exactly one of many concurrent accepts win, in arrival order', async () => {
    const { w, a1, b1, b2, b3 } = await ringing();
    const results = await Promise.allSettled([b3.accept('c'), b1.accept('c'), b2.accept('c')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results[0]?.status).toBe('fulfilled');
    expect(a1.received('call-accepted')).toHaveLength(1);
    expect(await w.live('c')).toMatchObject({ calleeConnectionId: 'b3' });
  });

  it('stops the ring timeout', async () => {
    const { w, a1, b1 } = await ringing();
    await b1.accept('c');
    await w.advance(10 * 60_000);
    expect(a1.received('call-ended')).toEqual([]);
    expect(b1.received('call-ended')).toEqual([]);
    expect(await w.live('c')).toMatchObject({ state: 'accepted' });
  });

  it('refuses a late accept with NOT_IN_CALL: after the timeout, a hangup, a reject', async () => {
    const { w, a1, b1, b2 } = await ringing();
    await w.advance(60_000);
    await expectCode(b1.accept('c'), 'NOT_IN_CALL');

    await a1.callUser({ to: w.bob.id, callId: 'd' });
    await a1.hangUp('d');
    await expectCode(b1.accept('d'), 'NOT_IN_CALL');

    await a1.callUser({ to: w.bob.id, callId: 'e' });
    await b1.reject('e');
    await expectCode(b2.accept('e'), 'NOT_IN_CALL');

    expect(a1.received('call-accepted')).toEqual([]);
    expect((await w.history('c'))?.status).toBe('missed');
  });

  it('refuses NOT_IN_CALL to the caller, a stranger, an unknown call and a second accept', async () => {
    const { w, a1, a2, b1, c1 } = await ringing();
    await expectCode(a1.accept('c'), 'NOT_IN_CALL');
    await expectCode(a2.accept('c'), 'NOT_IN_CALL');
    await expectCode(c1.accept('c'), 'NOT_IN_CALL');
    await expectCode(b1.accept('nope'), 'NOT_IN_CALL');
    expect(await w.live('c')).toMatchObject({ state: 'ringing' });
    await b1.accept('c');
    await expectCode(b1.accept('c'), 'NOT_IN_CALL');
    expect(a1.received('call-accepted')).toHaveLength(1);
  });
});

describe('across instances sharing one call state store', () => {
  it('lets exactly one of two accepts handled by different instances win', async () => {
    const { w, a1 } = await ringing();
    const other = { ...w.deps, callQueue: createKeyedQueue() };
    const results = await Promise.allSettled([
      acceptCall(w.deps, { userId: w.bob.id, connectionId: 'b1', payload: { callId: 'c' } }),
      acceptCall(other, { userId: w.bob.id, connectionId: 'b2', payload: { callId: 'c' } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'NOT_IN_CALL' },
    });
    expect(a1.received('call-accepted')).toHaveLength(1);
  });
});
