import { describe, expect, it } from 'vitest';
import {
  expectCode,
  ongoingCall,
  ringingCall,
  useFakeTimersPerTest,
} from '../../../test/support/signaling.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2) with call `c`; Carol is on c1. */
const ringing = () => ringingCall({ carol: ['c1'] });
/** The same call, accepted by Bob on b2. */
const ongoing = () => ongoingCall({ carol: ['c1'] });

describe('endCall', () => {
  it('hangs up an ongoing call from the caller: the accepting connection hears it', async () => {
    const { w, a1, b1, b2 } = await ongoing();
    const answeredAt = w.clock.now();
    w.clock.advance(90_999);

    await a1.hangUp('c', { note: 'bye', reason: 'spoofed', from: w.carol.id });

    expect(b2.inbox).toEqual([
      {
        type: 'call-ended',
        payload: { callId: 'c', from: w.alice.id, reason: 'hangup', note: 'bye' },
      },
    ]);
    expect(b1.inbox).toEqual([]);
    expect(a1.inbox).toEqual([]);
    expect(await w.live('c')).toBeNull();
    expect(await w.history('c')).toMatchObject({
      status: 'completed',
      endReason: 'hangup',
      answeredAt,
      endedAt: w.clock.now(),
      durationSec: 90,
    });
  });

  it('hangs up an ongoing call from the accepting callee connection', async () => {
    const { w, a1, a2, b2 } = await ongoing();
    w.clock.advance(5_000);
    await b2.hangUp('c');
    expect(a1.inbox).toEqual([
      { type: 'call-ended', payload: { callId: 'c', from: w.bob.id, reason: 'hangup' } },
    ]);
    expect(a2.inbox).toEqual([]);
    expect(await w.history('c')).toMatchObject({
      status: 'completed',
      endReason: 'hangup',
      durationSec: 5,
    });
  });

  it('lets the caller give up a ringing call: every callee connection hears it, missed/hangup', async () => {
    const { w, a1, b1, b2 } = await ringing();
    await a1.hangUp('c');
    const ended = {
      type: 'call-ended',
      payload: { callId: 'c', from: w.alice.id, reason: 'hangup' },
    };
    expect(b1.inbox).toEqual([ended]);
    expect(b2.inbox).toEqual([ended]);
    expect(await w.history('c')).toMatchObject({
      status: 'missed',
      endReason: 'hangup',
      answeredAt: null,
      durationSec: null,
      endedAt: w.clock.now(),
    });
    await w.advance(60_000);
    expect(a1.inbox).toEqual([]);
    expect(b1.inbox).toEqual([ended]);
  });

  it('treats a ringing callee hanging up as declining (rejected/declined)', async () => {
    const { w, a1, b1, b2 } = await ringing();
    await b1.hangUp('c');
    expect(a1.inbox).toEqual([
      { type: 'call-ended', payload: { callId: 'c', from: w.bob.id, reason: 'hangup' } },
    ]);
    expect(b2.inbox).toEqual([
      { type: 'call-ended', payload: { callId: 'c', reason: 'rejected-elsewhere' } },
    ]);
    expect(b1.inbox).toEqual([]);
    expect(await w.history('c')).toMatchObject({ status: 'rejected', endReason: 'declined' });
  });

  it('refuses NOT_IN_CALL to a connection that holds no side, and after the end', async () => {
    const { w, a1, a2, b1, b2, c1 } = await ongoing();
    await expectCode(c1.hangUp('c'), 'NOT_IN_CALL');
    await expectCode(a2.hangUp('c'), 'NOT_IN_CALL');
    await expectCode(b1.hangUp('c'), 'NOT_IN_CALL');
    await expectCode(a1.hangUp('unknown'), 'NOT_IN_CALL');
    expect(await w.live('c')).toMatchObject({ state: 'accepted' });
    await b2.hangUp('c');
    await expectCode(b2.hangUp('c'), 'NOT_IN_CALL');
    await expectCode(a1.hangUp('c'), 'NOT_IN_CALL');
    expect(a1.received('call-ended')).toHaveLength(1);
  });

  it('ends a call exactly once when both parties hang up at once', async () => {
    const { w, a1, b2 } = await ongoing();
    const results = await Promise.allSettled([a1.hangUp('c'), b2.hangUp('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(b2.inbox).toHaveLength(1);
    expect(a1.inbox).toEqual([]);
    expect((await w.history('c'))?.status).toBe('completed');
  });
});
