import { describe, expect, it } from 'vitest';
import {
  createCallWorld,
  ongoingCall,
  ringingCall,
  useFakeTimersPerTest,
} from '../../../test/support/signaling.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2) with call `c`. */
const ringing = () => ringingCall();
/** The same call, accepted by Bob on b2. */
const ongoing = () => ongoingCall();

const disconnected = { type: 'call-ended', payload: { callId: 'c', reason: 'disconnected' } };

describe('connectionClosed', () => {
  describe('while ringing', () => {
    it('ends the call when the calling connection closes: every callee connection hears it', async () => {
      const { w, a2, b1, b2, a1 } = await ringing();
      expect(await a1.close()).toBe(true);
      expect(b1.inbox).toEqual([disconnected]);
      expect(b2.inbox).toEqual([disconnected]);
      expect(a2.inbox).toEqual([]);
      expect(await w.live('c')).toBeNull();
      expect(await w.history('c')).toMatchObject({
        status: 'missed',
        endReason: 'disconnected',
        answeredAt: null,
        durationSec: null,
        endedAt: w.clock.now(),
      });
    });

    it('ignores the caller’s other connections', async () => {
      const { w, a2, b1 } = await ringing();
      expect(await a2.close()).toBe(false);
      expect(b1.inbox).toEqual([]);
      expect(await w.live('c')).toMatchObject({ state: 'ringing' });
    });

    it('keeps ringing while the callee has a connection left; ends when the last one closes', async () => {
      const { w, a1, b1, b2 } = await ringing();
      expect(await b1.close()).toBe(false);
      expect(a1.inbox).toEqual([]);
      expect(await w.live('c')).toMatchObject({ state: 'ringing' });
      expect(await b2.close()).toBe(true);
      expect(a1.inbox).toEqual([disconnected]);
      expect(await w.history('c')).toMatchObject({ status: 'missed', endReason: 'disconnected' });
      await w.advance(60_000);
      expect(a1.inbox).toEqual([disconnected]);
    });
  });

  describe('while ongoing', () => {
    it('ends the call when the caller’s connection closes: the accepting connection hears it', async () => {
      const { w, a1, b1, b2 } = await ongoing();
      w.clock.advance(42_000);
      expect(await a1.close()).toBe(true);
      expect(b2.inbox).toEqual([disconnected]);
      expect(b1.inbox).toEqual([]);
      expect(await w.history('c')).toMatchObject({
        status: 'completed',
        endReason: 'disconnected',
        durationSec: 42,
      });
      expect(await w.deps.callState.callOf(w.bob.id)).toBeNull();
    });

    it('ends the call when the accepting connection closes, not another callee connection', async () => {
      const { w, a1, b1, b2 } = await ongoing();
      expect(await b1.close()).toBe(false);
      expect(a1.inbox).toEqual([]);
      expect(await b2.close()).toBe(true);
      expect(a1.inbox).toEqual([disconnected]);
      expect(await w.history('c')).toMatchObject({
        status: 'completed',
        endReason: 'disconnected',
      });
    });
  });

  it('handles the frames a connection sent before closing first', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const call = a1.callUser({ to: w.bob.id, callId: 'quick' });
    const closed = a1.close();
    expect(await call).toMatchObject({ outcome: 'ringing' });
    expect(await closed).toBe(true);
    expect(b1.inbox.map((f) => [f.type, f.payload.reason])).toEqual([
      ['call-user', undefined],
      ['call-ended', 'disconnected'],
    ]);
    expect((await w.history('quick'))?.status).toBe('missed');
  });

  it('does nothing for a user without a call', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    expect(await a1.close()).toBe(false);
  });
});
