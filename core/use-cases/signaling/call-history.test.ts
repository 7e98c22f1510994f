import { describe, expect, it } from 'vitest';
import { createCallWorld, useFakeTimersPerTest } from '../../../test/support/signaling.js';
import type { CallStatus, EndReason } from '../../model.js';

useFakeTimersPerTest();

type World = Awaited<ReturnType<typeof createCallWorld>>;
type Scenario = (w: World) => Promise<string>;

async function setup(w: World) {
  const a1 = await w.connect(w.alice, 'a1');
  const b1 = await w.connect(w.bob, 'b1');
  return { a1, b1 };
}

const scenarios: [CallStatus, EndReason, boolean, Scenario][] = [
  [
    'completed',
    'hangup',
    true,
    async (w) => {
      const { a1, b1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await b1.accept('x');
      w.clock.advance(61_500);
      await b1.hangUp('x');
      return 'x';
    },
  ],
  [
    'completed',
    'disconnected',
    true,
    async (w) => {
      const { a1, b1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await b1.accept('x');
      await b1.close();
      return 'x';
    },
  ],
  [
    'missed',
    'timeout',
    false,
    async (w) => {
      const { a1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await w.advance(60_000);
      return 'x';
    },
  ],
  [
    'missed',
    'hangup',
    false,
    async (w) => {
      const { a1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await a1.hangUp('x');
      return 'x';
    },
  ],
  [
    'missed',
    'disconnected',
    false,
    async (w) => {
      const { a1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await a1.close();
      return 'x';
    },
  ],
  [
    'rejected',
    'declined',
    false,
    async (w) => {
      const { a1, b1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await b1.reject('x');
      return 'x';
    },
  ],
  [
    'busy',
    'busy',
    false,
    async (w) => {
      const { a1, b1 } = await setup(w);
      await w.connect(w.carol, 'c1');
      await b1.callUser({ to: w.carol.id, callId: 'other' });
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      return 'x';
    },
  ],
  [
    'unavailable',
    'offline',
    false,
    async (w) => {
      const { a1 } = await setup(w);
      await a1.callUser({ to: w.dave.id, callId: 'x' });
      return 'x';
    },
  ],
  [
    'glare',
    'glare',
    false,
    async (w) => {
      const { a1, b1 } = await setup(w);
      await a1.callUser({ to: w.bob.id, callId: 'x' });
      await b1.callUser({ to: w.alice.id, callId: 'y' });
      return 'y';
    },
  ],
];

describe('call history', () => {
  it.each(scenarios)('records %s/%s', async (status, endReason, answered, scenario) => {
    const w = await createCallWorld();
    const startedAt = w.clock.now();
    const callId = await scenario(w);
    const record = await w.history(callId);
    expect(record).toMatchObject({ status, endReason, startedAt, endedAt: w.clock.now() });
    if (answered) {
      expect(record?.answeredAt).toEqual(startedAt);
      expect(record?.durationSec).toBe(
        Math.floor((w.clock.now().getTime() - startedAt.getTime()) / 1000),
      );
    } else {
      expect(record?.answeredAt).toBeNull();
      expect(record?.durationSec).toBeNull();
    }
    for (const party of [record!.callerId, record!.calleeId]) {
      const list = await w.deps.calls.listForUser(party, { limit: 10, offset: 0 });
      expect(list.map((r) => r.id)).toContain(callId);
    }
    expect(await w.deps.calls.listForUser(w.carol.id, { limit: 10, offset: 0 })).not.toContainEqual(
      expect.objectContaining({ id: callId }),
    );
  });

  it('covers every final row of the §6 table', () => {
    expect(new Set(scenarios.map(([s, r]) => `${s}/${r}`))).toEqual(
      new Set([
        'completed/hangup',
        'completed/disconnected',
        'missed/timeout',
        'missed/hangup',
        'missed/disconnected',
        'rejected/declined',
        'busy/busy',
        'unavailable/offline',
        'glare/glare',
      ]),
    );
  });
});
