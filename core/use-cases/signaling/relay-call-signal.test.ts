import { describe, expect, it, vi } from 'vitest';
import { createMemoryCallStateStore } from '../../../adapters/memory/call-state-store.js';
import {
  createCallWorld,
  expectCode,
  ringingCall,
  useFakeTimersPerTest,
} from '../../../test/support/signaling.js';
import type { Deps } from '../../deps.js';
import type { KeyedQueue } from '../../keyed-queue.js';
import type { CallStateStore } from '../../ports/call-state-store.js';

useFakeTimersPerTest();

/** Alice (a1, a2) rings Bob (b1, b2) with call `c`; Carol is on c1. */
const ringing = (overrides: Partial<Deps> = {}) => ringingCall({ carol: ['c1'], overrides });

describe('relayCallSignal', () => {
  it('relays to every callee connection before acceptance, then to the accepting one only', async () => {
    const { w, a1, a2, b1, b2 } = await ringing();
    const offer = { sdp: { type: 'offer', sdp: 'v=0 offer' } };
    await a1.signal('offer', 'c', offer);
    const relayed = { type: 'offer', payload: { callId: 'c', from: w.alice.id, ...offer } };
    expect(b1.inbox).toEqual([relayed]);
    expect(b2.inbox).toEqual([relayed]);

    await b2.accept('c');
    b1.inbox.length = 0;
    await b2.signal('answer', 'c', { sdp: { type: 'answer', sdp: 'v=0 answer' } });
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host' };
    await a1.signal('ice-candidate', 'c', { ...candidate, sdpMid: '0', sdpMLineIndex: 0 });
    await b2.signal('ice-candidate', 'c', candidate);

    expect(a1.inbox).toEqual([
      { type: 'call-accepted', payload: { callId: 'c', from: w.bob.id } },
      {
        type: 'answer',
        payload: { callId: 'c', from: w.bob.id, sdp: { type: 'answer', sdp: 'v=0 answer' } },
      },
      { type: 'ice-candidate', payload: { callId: 'c', from: w.bob.id, ...candidate } },
    ]);
    expect(b2.inbox).toEqual([
      relayed,
      {
        type: 'ice-candidate',
        payload: { callId: 'c', from: w.alice.id, ...candidate, sdpMid: '0', sdpMLineIndex: 0 },
      },
    ]);
    expect(b1.inbox).toEqual([]);
    expect(a2.inbox).toEqual([]);
  });

  it('lets a ringing callee connection send early signals to the caller', async () => {
    const { w, a1, b1 } = await ringing();
    await b1.signal('ice-candidate', 'c', { candidate: 'x' });
    expect(a1.inbox).toEqual([
      { type: 'ice-candidate', payload: { callId: 'c', from: w.bob.id, candidate: 'x' } },
    ]);
  });

  it('passes fields through untouched and overwrites spoofed from and reason', async () => {
    const { w, a1, b1 } = await ringing();
    const sdp = { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AB:CD\r\n', extra: [null, 1] };
    await a1.signal('offer', 'c', { sdp, from: w.carol.id, reason: 'hangup', to: 'x' });
    expect(b1.inbox).toEqual([
      { type: 'offer', payload: { callId: 'c', from: w.alice.id, sdp, to: 'x' } },
    ]);
    expect(b1.inbox[0]?.payload.sdp).toEqual(sdp);
  });

  it('refuses NOT_IN_CALL to strangers and to connections that do not hold a side', async () => {
    const { a1, a2, b1, b2, c1 } = await ringing();
    await expectCode(c1.signal('offer', 'c'), 'NOT_IN_CALL');
    await expectCode(a2.signal('offer', 'c'), 'NOT_IN_CALL');
    await expectCode(a1.signal('offer', 'unknown'), 'NOT_IN_CALL');
    await b1.accept('c');
    await expectCode(b2.signal('answer', 'c'), 'NOT_IN_CALL');
    await a1.hangUp('c');
    await expectCode(a1.signal('ice-candidate', 'c'), 'NOT_IN_CALL');
    await expectCode(b1.signal('ice-candidate', 'c'), 'NOT_IN_CALL');
    expect(c1.inbox).toEqual([]);
  });

  describe('order', () => {
    /** A store whose `get` answers the first `slow` reads late, so later reads overtake them. */
    function slowStore(slow: number): CallStateStore {
      const inner = createMemoryCallStateStore();
      let reads = 0;
      return {
        ...inner,
        get: (callId) => {
          reads += 1;
          const delay = reads <= slow ? 100 * (slow - reads + 1) : 0;
          return new Promise((resolve) => setTimeout(() => resolve(inner.get(callId)), delay));
        },
      };
    }

    async function sendBurst(overrides: { callQueue?: KeyedQueue } = {}) {
      const callState = slowStore(3);
      const { w, a1, b1 } = await ringing({ callState, ...overrides });
      const sent = [
        a1.signal('offer', 'c', { seq: 0 }),
        a1.signal('ice-candidate', 'c', { seq: 1 }),
        a1.signal('ice-candidate', 'c', { seq: 2 }),
        a1.signal('ice-candidate', 'c', { seq: 3 }),
      ];
      await vi.advanceTimersByTimeAsync(1_000);
      await Promise.all(sent);
      return { w, b1 };
    }

    it('relays the frames of one call in the order they were sent, however slow the store', async () => {
      const { b1 } = await sendBurst();
      expect(b1.inbox.map((f) => [f.type, f.payload.seq])).toEqual([
        ['offer', 0],
        ['ice-candidate', 1],
        ['ice-candidate', 2],
        ['ice-candidate', 3],
      ]);
    });

    it('would reorder them without the per-call queue (the test above is not vacuous)', async () => {
      const unordered: KeyedQueue = { run: (_key, task) => task(), settled: async () => {} };
      const { b1 } = await sendBurst({ callQueue: unordered });
      expect(b1.inbox.map((f) => f.payload.seq)).not.toEqual([0, 1, 2, 3]);
    });

    it('relays an offer sent right behind call-user after the ring', async () => {
      const w = await createCallWorld({ callState: slowStore(1) });
      const a1 = await w.connect(w.alice, 'a1');
      const b1 = await w.connect(w.bob, 'b1');
      const call = a1.callUser({ to: w.bob.id, callId: 'fast' });
      const offer = a1.signal('offer', 'fast', { sdp: 'o' });
      await vi.advanceTimersByTimeAsync(1_000);
      await Promise.all([call, offer]);
      expect(b1.inbox.map((f) => f.type)).toEqual(['call-user', 'offer']);
    });
  });
});
