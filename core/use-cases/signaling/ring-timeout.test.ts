import { describe, expect, it } from 'vitest';
import type { TimerScheduler } from '../../../adapters/memory/scheduler.js';
import { ringingCall, useFakeTimersPerTest } from '../../../test/support/signaling.js';
import type { Deps } from '../../deps.js';
import type { CallId } from '../../model.js';
import { ringTimeout } from './ring-timeout.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2) with call `c`. */
const ringing = (overrides: Partial<Deps> = {}) => ringingCall({ overrides });

const timeout = { type: 'call-ended', payload: { callId: 'c', reason: 'timeout' } };

describe('ringTimeout', () => {
  it('ends an unanswered call after 60 s for both parties, once: missed/timeout', async () => {
    const { w, a1, a2, b1, b2 } = await ringing();
    await w.advance(59_999);
    expect(await w.live('c')).toMatchObject({ state: 'ringing' });
    expect(a1.inbox).toEqual([]);

    await w.advance(1);

    const logged = { seq: 1, at: w.clock.now(), call: await w.history('c') };
    const missed = { type: 'missed-call', payload: logged };
    expect(a1.inbox).toEqual([timeout]);
    expect(b1.inbox).toEqual([timeout, missed]);
    expect(b2.inbox).toEqual([timeout, missed]);
    expect(a2.inbox).toEqual([]);
    expect(await w.deps.events.readAfter(w.bob.id, 0, 10)).toEqual([
      { type: 'missed-call', ...logged },
    ]);
    expect(await w.deps.events.readAfter(w.alice.id, 0, 10)).toEqual([]);
    expect(await w.live('c')).toBeNull();
    expect(await w.deps.callState.callOf(w.bob.id)).toBeNull();
    expect(await w.history('c')).toMatchObject({
      status: 'missed',
      endReason: 'timeout',
      answeredAt: null,
      durationSec: null,
      endedAt: w.clock.now(),
    });
    await w.advance(10 * 60_000);
    expect(a1.inbox).toEqual([timeout]);
    expect(b1.inbox).toEqual([timeout, missed]);
    expect((w.deps.scheduler as TimerScheduler).pending()).toBe(0);
  });

  it('follows the configured ring timeout', async () => {
    const { w, a1 } = await ringing({ ringTimeoutMs: 5_000 });
    expect(await w.live('c')).toMatchObject({
      ringDeadline: new Date(w.clock.now().getTime() + 5_000),
    });
    await w.advance(4_999);
    expect(a1.inbox).toEqual([]);
    await w.advance(1);
    expect(a1.inbox).toEqual([timeout]);
  });

  it.each([
    ['an accept', (x: Awaited<ReturnType<typeof ringing>>) => x.b1.accept('c')],
    ['a reject', (x: Awaited<ReturnType<typeof ringing>>) => x.b2.reject('c')],
    ['a hangup', (x: Awaited<ReturnType<typeof ringing>>) => x.a1.hangUp('c')],
    ['a disconnect', (x: Awaited<ReturnType<typeof ringing>>) => x.a1.close()],
  ])('does not fire after %s', async (_, act) => {
    const world = await ringing();
    await world.w.advance(30_000);
    await act(world);
    await world.w.advance(10 * 60_000);
    for (const c of [world.a1, world.a2, world.b1, world.b2]) {
      expect(c.received('call-ended').filter((f) => f.payload.reason === 'timeout')).toEqual([]);
    }
    expect((world.w.deps.scheduler as TimerScheduler).pending()).toBe(0);
  });

  it('is a guarded transition: it changes nothing when the call ended meanwhile elsewhere', async () => {
    const { w, a1, b1 } = await ringing();
    // Another instance ended the call without being able to cancel this timer.
    await w.deps.callState.tryEnd('c' as CallId, 'ringing');
    await w.advance(60_000);
    expect(a1.inbox).toEqual([]);
    expect(b1.inbox).toEqual([]);
  });

  it('ends a ringing call once however often it runs, and never an accepted one', async () => {
    const { w, a1, b1 } = await ringing();
    const runs = await Promise.all([
      ringTimeout(w.deps, { callId: 'c' }),
      ringTimeout(w.deps, { callId: 'c' }),
    ]);
    expect(runs).toEqual([true, false]);
    expect(a1.inbox).toEqual([timeout]);
    expect(await ringTimeout(w.deps, { callId: 'c' })).toBe(false);

    await a1.callUser({ to: w.bob.id, callId: 'd' });
    await b1.accept('d');
    expect(await ringTimeout(w.deps, { callId: 'd' })).toBe(false);
    expect(await w.live('d')).toMatchObject({ state: 'accepted' });
  });
});
