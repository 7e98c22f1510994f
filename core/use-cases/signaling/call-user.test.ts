import { describe, expect, it, vi } from 'vitest';
import {
  createCallWorld,
  expectCode,
  useFakeTimersPerTest,
} from '../../../test/support/signaling.js';
import { createKeyedQueue } from '../../keyed-queue.js';
import type { CallRecord } from '../../model.js';
import { callUser } from './call-user.js';

useFakeTimersPerTest();

describe('callUser', () => {
  it('rings every connection of the callee and tells the calling connection call-ringing', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const a2 = await w.connect(w.alice, 'a2');
    const b1 = await w.connect(w.bob, 'b1');
    const b2 = await w.connect(w.bob, 'b2');

    const result = await a1.callUser({ to: w.bob.id, callId: 'call-1' });

    expect(result).toEqual({ callId: 'call-1', outcome: 'ringing' });
    const ring = {
      type: 'call-user',
      payload: {
        to: w.bob.id,
        callId: 'call-1',
        from: w.alice.id,
        fromDisplayName: 'Alice',
        media: 'audio',
      },
    };
    expect(b1.inbox).toEqual([ring]);
    expect(b2.inbox).toEqual([ring]);
    expect(a1.inbox).toEqual([
      { type: 'call-ringing', payload: { callId: 'call-1', to: w.bob.id } },
    ]);
    expect(a2.inbox).toEqual([]);
    expect(await w.live('call-1')).toMatchObject({
      state: 'ringing',
      callerId: w.alice.id,
      calleeId: w.bob.id,
      callerConnectionId: 'a1',
      calleeConnectionId: null,
    });
    expect(await w.history('call-1')).toEqual<CallRecord>({
      id: 'call-1' as CallRecord['id'],
      callerId: w.alice.id,
      calleeId: w.bob.id,
      media: 'audio',
      status: 'ringing',
      startedAt: w.clock.now(),
      answeredAt: null,
      endedAt: null,
      durationSec: null,
      endReason: null,
    });
  });

  it('generates a callId when none is given and keeps a video call video', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const { callId } = await a1.callUser({ to: w.bob.id, media: 'video' });
    expect(callId).toMatch(/^[0-9a-f]{24}$/);
    expect(b1.inbox[0]?.payload).toMatchObject({ callId, media: 'video' });
    expect((await w.history(callId))?.media).toBe('video');
  });

  it('passes other fields through untouched and sets callId, from, fromDisplayName, media', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    await a1.callUser({
      to: w.bob.id,
      callId: 'c',
      media: 'video',
      from: w.carol.id,
      fromDisplayName: 'Not Alice',
      reason: 'spoofed',
      sdp,
      extra: [1, { nested: true }],
    });
    expect(b1.inbox).toEqual([
      {
        type: 'call-user',
        payload: {
          to: w.bob.id,
          callId: 'c',
          from: w.alice.id,
          fromDisplayName: 'Alice',
          media: 'video',
          sdp,
          extra: [1, { nested: true }],
        },
      },
    ]);
    expect(b1.inbox[0]?.payload).not.toHaveProperty('reason');
  });

  it('tells the calling connection call-unavailable when the callee has no connection', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    await b1.close();

    const result = await a1.callUser({ to: w.bob.id, callId: 'off' });

    expect(result).toEqual({ callId: 'off', outcome: 'unavailable' });
    expect(a1.inbox).toEqual([
      { type: 'call-unavailable', payload: { callId: 'off', to: w.bob.id, reason: 'offline' } },
    ]);
    expect(b1.inbox).toEqual([]);
    expect(await w.live('off')).toBeNull();
    expect(await w.deps.callState.callOf(w.alice.id)).toBeNull();
    expect(await w.history('off')).toMatchObject({
      status: 'unavailable',
      endReason: 'offline',
      startedAt: w.clock.now(),
      endedAt: w.clock.now(),
      answeredAt: null,
      durationSec: null,
    });
    // Nothing is left to time out.
    await w.advance(120_000);
    expect(a1.inbox).toHaveLength(1);
  });

  describe('busy', () => {
    it('answers call-rejected busy from the callee when the callee is in an ongoing call', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const b1 = await w.connect(w.bob, 'b1');
      const c1 = await w.connect(w.carol, 'c1');
      await c1.callUser({ to: w.bob.id, callId: 'cb' });
      await b1.accept('cb');
      b1.inbox.length = 0;

      const result = await a1.callUser({ to: w.bob.id, callId: 'ab' });

      expect(result).toEqual({ callId: 'ab', outcome: 'busy' });
      expect(a1.inbox).toEqual([
        { type: 'call-rejected', payload: { callId: 'ab', from: w.bob.id, reason: 'busy' } },
      ]);
      expect(b1.inbox).toEqual([]);
      expect(await w.history('ab')).toMatchObject({
        status: 'busy',
        endReason: 'busy',
        endedAt: w.clock.now(),
        answeredAt: null,
        durationSec: null,
      });
      expect(await w.live('cb')).toMatchObject({ state: 'accepted' });
      expect(await w.deps.callState.callOf(w.alice.id)).toBeNull();
    });

    it('treats a callee who is being rung, or is ringing someone, as busy', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const c1 = await w.connect(w.carol, 'c1');
      await w.connect(w.bob, 'b1');
      await w.connect(w.dave, 'd1');
      await c1.callUser({ to: w.bob.id, callId: 'carol-rings-bob' });
      expect((await a1.callUser({ to: w.bob.id })).outcome).toBe('busy');
      expect((await a1.callUser({ to: w.carol.id })).outcome).toBe('busy');
      expect(await w.live('carol-rings-bob')).toMatchObject({ state: 'ringing' });
    });
  });

  describe('errors', () => {
    it('refuses ALREADY_IN_CALL to a caller in a ringing or ongoing call, recording nothing', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const b1 = await w.connect(w.bob, 'b1');
      await w.connect(w.carol, 'c1');
      await a1.callUser({ to: w.bob.id, callId: 'first' });
      await expectCode(a1.callUser({ to: w.carol.id, callId: 'second' }), 'ALREADY_IN_CALL');
      // Also from another device, and also when the callee is offline.
      const a2 = await w.connect(w.alice, 'a2');
      await expectCode(a2.callUser({ to: w.dave.id, callId: 'third' }), 'ALREADY_IN_CALL');
      await b1.accept('first');
      await expectCode(a1.callUser({ to: w.carol.id, callId: 'fourth' }), 'ALREADY_IN_CALL');
      // The callee of a ringing call may not call a third party either.
      const d1 = await w.connect(w.dave, 'd1');
      const c1b = await w.connect(w.carol, 'c2');
      await d1.callUser({ to: w.carol.id, callId: 'dave-rings-carol' });
      await expectCode(c1b.callUser({ to: w.alice.id, callId: 'fifth' }), 'ALREADY_IN_CALL');
      for (const id of ['second', 'third', 'fourth', 'fifth'])
        expect(await w.history(id)).toBeNull();
    });

    it("places the call under a fresh id when the chosen one is another user's live call", async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      await w.connect(w.bob, 'b1');
      const c1 = await w.connect(w.carol, 'c1');
      const d1 = await w.connect(w.dave, 'd1');
      await a1.callUser({ to: w.bob.id, callId: 'taken' });
      const placed = await c1.callUser({ to: w.dave.id, callId: 'taken' });
      expect(placed.outcome).toBe('ringing');
      expect(placed.callId).toMatch(/^[0-9a-f]{24}$/);
      expect(await w.live('taken')).toMatchObject({ callerId: w.alice.id });
      expect(await w.deps.callState.callOf(w.carol.id)).toMatchObject({ callId: placed.callId });
      expect(c1.inbox).toEqual([
        { type: 'call-ringing', payload: { callId: placed.callId, to: w.dave.id } },
      ]);
      expect(d1.received('call-user')).toMatchObject([{ payload: { callId: placed.callId } }]);
    });

    it('refuses CALL_EXISTS for the id of an ended call the caller placed, whatever its outcome', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const b1 = await w.connect(w.bob, 'b1');
      await a1.callUser({ to: w.bob.id, callId: 'old' });
      await b1.reject('old');
      await a1.callUser({ to: w.dave.id, callId: 'old-offline' });
      for (const id of ['old', 'old-offline']) {
        await expectCode(a1.callUser({ to: w.bob.id, callId: id }), 'CALL_EXISTS');
        await expectCode(a1.callUser({ to: w.dave.id, callId: id }), 'CALL_EXISTS');
      }
      expect((await w.history('old'))?.status).toBe('rejected');
      // Not for anyone else, the callee of one of them included.
      const c1 = await w.connect(w.carol, 'c1');
      for (const [caller, id] of [
        [c1, 'old'],
        [b1, 'old-offline'],
      ] as const) {
        const placed = await caller.callUser({ to: w.dave.id, callId: id });
        expect(placed).toMatchObject({ outcome: 'unavailable' });
        expect(placed.callId).not.toBe(id);
        expect((await w.history(placed.callId))?.callerId).toBe(caller.userId);
      }
      expect((await w.history('old'))?.callerId).toBe(w.alice.id);
    });

    it('lets two users call with one chosen id at once: one keeps it, the other gets a fresh one', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const c1 = await w.connect(w.carol, 'c1');
      await w.connect(w.bob, 'b1');
      await w.connect(w.dave, 'd1');
      const results = await Promise.all([
        a1.callUser({ to: w.bob.id, callId: 'same' }),
        c1.callUser({ to: w.dave.id, callId: 'same' }),
      ]);
      expect(results.map((r) => r.outcome)).toEqual(['ringing', 'ringing']);
      expect(results.filter((r) => r.callId === 'same')).toHaveLength(1);
      expect(new Set(results.map((r) => r.callId)).size).toBe(2);
    });

    it('refuses CALL_EXISTS to two calls of one caller with one id at once', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const a2 = await w.connect(w.alice, 'a2');
      const results = await Promise.allSettled([
        a1.callUser({ to: w.dave.id, callId: 'mine' }),
        a2.callUser({ to: w.carol.id, callId: 'mine' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: { code: 'CALL_EXISTS' },
      });
    });

    it('refuses calling yourself with VALIDATION_FAILED on `to`', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      await expect(a1.callUser({ to: w.alice.id, callId: 'me' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'to' }],
      });
      expect(await w.history('me')).toBeNull();
    });

    it.each([
      ['an unknown', 'ffffffffffffffffffffffff'],
      ['a malformed', 'not-an-id'],
      ['an empty', ''],
    ])('refuses USER_NOT_FOUND for %s `to`', async (_, to) => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      await expectCode(a1.callUser({ to, callId: 'x' }), 'USER_NOT_FOUND');
      expect(await w.history('x')).toBeNull();
      expect(a1.inbox).toEqual([]);
    });

    it.each([
      ['callId', { callId: '' }],
      ['callId', { callId: 'c'.repeat(65) }],
      ['callId', { callId: 'lone \ud800' }],
      ['media', { media: 'hologram' }],
    ])('refuses a bad %s with VALIDATION_FAILED', async (path, patch) => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      await w.connect(w.bob, 'b1');
      await expect(a1.callUser({ to: w.bob.id, ...patch })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path }],
      });
      expect(await w.deps.callState.callOf(w.alice.id)).toBeNull();
    });

    it('accepts a callId of 64 code points even when that is more UTF-16 units', async () => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      await w.connect(w.bob, 'b1');
      const callId = '📞'.repeat(64);
      expect(await a1.callUser({ to: w.bob.id, callId })).toEqual({ callId, outcome: 'ringing' });
    });
  });
});

describe('glare', () => {
  it('keeps the new call when its id is lower: the old one ends with glare for both', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const b2 = await w.connect(w.bob, 'b2');
    await a1.callUser({ to: w.bob.id, callId: 'call-b' });
    for (const c of [a1, b1, b2]) c.inbox.length = 0;

    const result = await b1.callUser({ to: w.alice.id, callId: 'call-a' });

    expect(result).toEqual({ callId: 'call-a', outcome: 'ringing' });
    const glare = { type: 'call-ended', payload: { callId: 'call-b', reason: 'glare' } };
    expect(a1.inbox).toEqual([
      glare,
      {
        type: 'call-user',
        payload: {
          to: w.alice.id,
          callId: 'call-a',
          from: w.bob.id,
          fromDisplayName: 'Bob',
          media: 'audio',
        },
      },
    ]);
    expect(b1.inbox).toEqual([
      glare,
      { type: 'call-ringing', payload: { callId: 'call-a', to: w.alice.id } },
    ]);
    expect(b2.inbox).toEqual([glare]);
    expect(await w.live('call-b')).toBeNull();
    expect(await w.deps.callState.callOf(w.alice.id)).toMatchObject({ callId: 'call-a' });
    expect(await w.deps.callState.callOf(w.bob.id)).toMatchObject({ callId: 'call-a' });
    expect(await w.history('call-b')).toMatchObject({ status: 'glare', endReason: 'glare' });
    expect(await w.history('call-a')).toMatchObject({ status: 'ringing' });
    // The loser's ring timeout is gone; the survivor's still runs.
    await w.advance(60_000);
    expect(a1.received('call-ended').map((f) => f.payload)).toEqual([
      { callId: 'call-b', reason: 'glare' },
      { callId: 'call-a', reason: 'timeout' },
    ]);
  });

  it('refuses the new call when the ringing one has the lower id, telling only its caller', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const b2 = await w.connect(w.bob, 'b2');
    await a1.callUser({ to: w.bob.id, callId: 'call-a' });
    for (const c of [a1, b1, b2]) c.inbox.length = 0;

    const result = await b1.callUser({ to: w.alice.id, callId: 'call-b' });

    expect(result).toEqual({ callId: 'call-b', outcome: 'glare' });
    expect(b1.inbox).toEqual([
      { type: 'call-ended', payload: { callId: 'call-b', reason: 'glare' } },
    ]);
    expect(b2.inbox).toEqual([]);
    expect(a1.inbox).toEqual([]);
    expect(await w.history('call-b')).toMatchObject({
      status: 'glare',
      endReason: 'glare',
      endedAt: w.clock.now(),
    });
    // The survivor goes on as if nothing happened.
    await b2.accept('call-a');
    expect(a1.inbox).toEqual([
      { type: 'call-accepted', payload: { callId: 'call-a', from: w.bob.id } },
    ]);
  });

  /** Alice's call is stopped between its claim and its ring, so Bob has not been rung yet. */
  async function withAliceCallPausedBeforeTheRing(aliceCallId: string) {
    const w = await createCallWorld();
    let release = () => {};
    let paused = () => {};
    const reached = new Promise<void>((resolve) => {
      paused = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const insert = w.deps.calls.insert.bind(w.deps.calls);
    Object.assign(w.deps.calls, {
      insert: async (record: CallRecord) => {
        if (record.id === aliceCallId) {
          paused();
          await gate;
        }
        return insert(record);
      },
    });
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const aliceCall = a1.callUser({ to: w.bob.id, callId: aliceCallId });
    await reached;
    expect(b1.inbox).toEqual([]);
    return { w, a1, b1, aliceCall, release };
  }

  it('agrees on the lower id when Bob calls before being rung, Bob lower', async () => {
    const { w, a1, b1, aliceCall, release } = await withAliceCallPausedBeforeTheRing('z-alice');
    const bobCall = b1.callUser({ to: w.alice.id, callId: 'a-bob' });
    await vi.advanceTimersByTimeAsync(0);
    release();
    expect(await aliceCall).toEqual({ callId: 'z-alice', outcome: 'ringing' });
    expect(await bobCall).toEqual({ callId: 'a-bob', outcome: 'ringing' });

    expect(await w.deps.callState.callOf(w.alice.id)).toMatchObject({ callId: 'a-bob' });
    expect(await w.deps.callState.callOf(w.bob.id)).toMatchObject({ callId: 'a-bob' });
    expect(a1.inbox.map((f) => [f.type, f.payload.callId, f.payload.reason])).toEqual([
      ['call-ringing', 'z-alice', undefined],
      ['call-ended', 'z-alice', 'glare'],
      ['call-user', 'a-bob', undefined],
    ]);
    expect(b1.inbox.map((f) => [f.type, f.payload.callId, f.payload.reason])).toEqual([
      ['call-user', 'z-alice', undefined],
      ['call-ended', 'z-alice', 'glare'],
      ['call-ringing', 'a-bob', undefined],
    ]);
    expect(await w.history('z-alice')).toMatchObject({ status: 'glare', endReason: 'glare' });
    await a1.accept('a-bob');
    expect(b1.received('call-accepted')).toHaveLength(1);
  });

  it('agrees on the lower id when Bob calls before being rung, Alice lower', async () => {
    const { w, a1, b1, aliceCall, release } = await withAliceCallPausedBeforeTheRing('a-alice');
    const bobCall = b1.callUser({ to: w.alice.id, callId: 'z-bob' });
    expect(await bobCall).toEqual({ callId: 'z-bob', outcome: 'glare' });
    release();
    expect(await aliceCall).toEqual({ callId: 'a-alice', outcome: 'ringing' });

    expect(await w.deps.callState.callOf(w.alice.id)).toMatchObject({ callId: 'a-alice' });
    expect(await w.deps.callState.callOf(w.bob.id)).toMatchObject({ callId: 'a-alice' });
    expect(b1.inbox.map((f) => [f.type, f.payload.callId, f.payload.reason])).toEqual([
      ['call-ended', 'z-bob', 'glare'],
      ['call-user', 'a-alice', undefined],
    ]);
    expect(a1.inbox.map((f) => [f.type, f.payload.callId])).toEqual([['call-ringing', 'a-alice']]);
    expect(await w.history('z-bob')).toMatchObject({ status: 'glare', endReason: 'glare' });
  });

  it('orders ids by code point, not by UTF-16 unit', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    // U+FF5E sorts before U+1F4DE by code point, after it by UTF-16 unit.
    await a1.callUser({ to: w.bob.id, callId: '\u{1F4DE}' });
    expect(await b1.callUser({ to: w.alice.id, callId: '\uFF5E' })).toMatchObject({
      outcome: 'ringing',
    });
    expect((await w.history('\u{1F4DE}'))?.status).toBe('glare');
  });

  it('is only between the same two users: a third caller is busy, an accepted call is not glare', async () => {
    const w = await createCallWorld();
    const a1 = await w.connect(w.alice, 'a1');
    const b1 = await w.connect(w.bob, 'b1');
    const c1 = await w.connect(w.carol, 'c1');
    await a1.callUser({ to: w.bob.id, callId: 'm' });
    expect(await c1.callUser({ to: w.alice.id, callId: 'a' })).toMatchObject({ outcome: 'busy' });
    await b1.accept('m');
    await expectCode(b1.callUser({ to: w.alice.id, callId: 'a2' }), 'ALREADY_IN_CALL');
  });

  it.each([
    ['Alice', 'x-alice', 'y-bob', 'x-alice'],
    ['Bob', 'y-alice', 'x-bob', 'x-bob'],
  ])(
    'agrees across instances sharing the store (%s lower)',
    async (_, aliceId, bobId, survivor) => {
      const w = await createCallWorld();
      const a1 = await w.connect(w.alice, 'a1');
      const b1 = await w.connect(w.bob, 'b1');
      const other = { ...w.deps, callQueue: createKeyedQueue() };
      const results = await Promise.all([
        callUser(w.deps, {
          userId: w.alice.id,
          connectionId: 'a1',
          payload: { to: w.bob.id, callId: aliceId },
        }),
        callUser(other, {
          userId: w.bob.id,
          connectionId: 'b1',
          payload: { to: w.alice.id, callId: bobId },
        }),
      ]);
      await other.callQueue.settled();
      const loser = survivor === aliceId ? bobId : aliceId;
      expect(results.find((r) => r.callId === loser)?.outcome).toMatch(/^(glare|ringing)$/);
      expect(await w.deps.callState.callOf(w.alice.id)).toMatchObject({ callId: survivor });
      expect(await w.deps.callState.callOf(w.bob.id)).toMatchObject({ callId: survivor });
      expect(await w.history(loser)).toMatchObject({ status: 'glare', endReason: 'glare' });
      expect(await w.history(survivor)).toMatchObject({ status: 'ringing' });
      const ended = [...a1.inbox, ...b1.inbox].filter((f) => f.type === 'call-ended');
      expect(ended.every((f) => f.payload.callId === loser && f.payload.reason === 'glare')).toBe(
        true,
      );
      expect(ended.length).toBeGreaterThan(0);
    },
  );
});
