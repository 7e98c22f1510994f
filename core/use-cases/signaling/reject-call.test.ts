import { describe, expect, it } from 'vitest';
import { expectCode, ringingCall, useFakeTimersPerTest } from '../../../test/support/signaling.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2, b3) with call `c`; Carol is on c1. */
const ringing = () => ringingCall({ bob: ['b1', 'b2', 'b3'], carol: ['c1'] });

describe('rejectCall', () => {
  it.each(['b1', 'b2', 'b3'])(
    'from %s stops every callee connection and tells the caller',
    async (from) => {
      const { w, a1, a2, ...bob } = await ringing();
      const conns = [bob.b1, bob.b2, bob.b3];
      const rejecting = conns.find((c) => c.connectionId === from)!;
      w.clock.advance(3_000);

      await rejecting.reject('c', { note: 'in a meeting', reason: 'spoof', from: 'spoof' });

      expect(a1.inbox).toEqual([
        {
          type: 'call-rejected',
          payload: { callId: 'c', from: w.bob.id, reason: 'declined', note: 'in a meeting' },
        },
      ]);
      expect(a2.inbox).toEqual([]);
      for (const c of conns) {
        expect(c.inbox).toEqual(
          c === rejecting
            ? []
            : [{ type: 'call-ended', payload: { callId: 'c', reason: 'rejected-elsewhere' } }],
        );
      }
      expect(await w.live('c')).toBeNull();
      expect(await w.deps.callState.callOf(w.alice.id)).toBeNull();
      expect(await w.deps.callState.callOf(w.bob.id)).toBeNull();
      expect(await w.history('c')).toMatchObject({
        status: 'rejected',
        endReason: 'declined',
        endedAt: w.clock.now(),
        answeredAt: null,
        durationSec: null,
      });
      await w.advance(60_000);
      expect(a1.inbox).toHaveLength(1);
    },
  );

  it('frees both users to call again', async () => {
    const { w, a1, b1 } = await ringing();
    await b1.reject('c');
    expect(await b1.callUser({ to: w.alice.id, callId: 'back' })).toMatchObject({
      outcome: 'ringing',
    });
    expect(a1.received('call-user')).toHaveLength(1);
  });

  it('refuses NOT_IN_CALL once accepted, to the caller, to a stranger and the second time', async () => {
    const { a1, a2, b1, b2, c1 } = await ringing();
    await expectCode(a1.reject('c'), 'NOT_IN_CALL');
    await expectCode(a2.reject('c'), 'NOT_IN_CALL');
    await expectCode(c1.reject('c'), 'NOT_IN_CALL');
    await b1.accept('c');
    await expectCode(b1.reject('c'), 'NOT_IN_CALL');
    await expectCode(b2.reject('c'), 'NOT_IN_CALL');
    expect(a1.received('call-rejected')).toEqual([]);
  });

  it('lets one of a concurrent reject and accept win, and the other is refused', async () => {
    const { w, a1, b1, b2 } = await ringing();
    const [rejected, accepted] = await Promise.allSettled([b1.reject('c'), b2.accept('c')]);
    expect(rejected.status).toBe('fulfilled');
    expect(accepted).toMatchObject({ status: 'rejected', reason: { code: 'NOT_IN_CALL' } });
    expect(a1.inbox.map((f) => f.type)).toEqual(['call-rejected']);
    expect((await w.history('c'))?.status).toBe('rejected');
  });
});
