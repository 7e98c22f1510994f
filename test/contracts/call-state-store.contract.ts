/**
 * @module The `CallStateStore` contract, run against every adapter (memory
 * now, Redis for many instances): one live call per user and per id, busy and
 * caller-busy, glare decided by code point order in one step, exactly one
 * winner among concurrent accepts and ends, and compare-and-set on state.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { CallId, CallStateStore, LiveCall, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const user = () => ids.newId() as UserId;

function call(callerId: UserId, calleeId: UserId, callId: string = ids.newId()): LiveCall {
  return {
    callId: callId as CallId,
    callerId,
    calleeId,
    media: 'audio',
    state: 'ringing',
    callerConnectionId: `${callerId}-conn`,
    calleeConnectionId: null,
    startedAt: new Date(T0),
    answeredAt: null,
    ringDeadline: new Date(T0 + 60_000),
  };
}

export function describeCallStateStoreContract(
  name: string,
  setup: () => Promise<CallStateStore> | CallStateStore,
): void {
  describe(`CallStateStore contract: ${name}`, () => {
    let store: CallStateStore;

    beforeEach(async () => {
      store = await setup();
    });

    it('starts a call and finds it by id and by either party', async () => {
      const live = { ...call(user(), user()), media: 'video' as const };
      expect(await store.tryStart(live)).toEqual({ kind: 'started', displaced: null });
      expect(await store.get(live.callId)).toEqual(live);
      expect(await store.callOf(live.callerId)).toEqual(live);
      expect(await store.callOf(live.calleeId)).toEqual(live);
      expect(await store.get(ids.newId())).toBeNull();
      expect(await store.callOf(user())).toBeNull();
    });

    it('refuses a live id, a caller in a call and a callee in a call, changing nothing', async () => {
      const [a, b, c, d] = [user(), user(), user(), user()];
      const first = call(a, b, 'first');
      await store.tryStart(first);
      expect(await store.tryStart(call(c, d, 'first'))).toEqual({ kind: 'call-exists' });
      expect(await store.tryStart(call(a, c))).toEqual({ kind: 'caller-busy' });
      expect(await store.tryStart(call(c, a))).toEqual({ kind: 'callee-busy' });
      expect(await store.tryStart(call(c, b))).toEqual({ kind: 'callee-busy' });
      // The callee of a ringing call calling a third party is not glare.
      expect(await store.tryStart(call(b, c))).toEqual({ kind: 'caller-busy' });
      expect(await store.callOf(c)).toBeNull();
      expect(await store.callOf(d)).toBeNull();
      expect(await store.get('first')).toEqual(first);
    });

    it('resolves glare for the lower id: the new call displaces a higher ringing one', async () => {
      const [a, b] = [user(), user()];
      const high = call(a, b, 'b-high');
      await store.tryStart(high);
      const low = call(b, a, 'a-low');
      expect(await store.tryStart(low)).toEqual({ kind: 'started', displaced: high });
      expect(await store.get('b-high')).toBeNull();
      expect(await store.callOf(a)).toEqual(low);
      expect(await store.callOf(b)).toEqual(low);
    });

    it('resolves glare for the lower id: the new, higher call loses', async () => {
      const [a, b] = [user(), user()];
      const low = call(a, b, 'a-low');
      await store.tryStart(low);
      expect(await store.tryStart(call(b, a, 'b-high'))).toEqual({
        kind: 'glare-lost',
        survivor: 'a-low',
      });
      expect(await store.get('b-high')).toBeNull();
      expect(await store.callOf(b)).toEqual(low);
    });

    it('compares ids by code point (UTF-8 byte order), not by UTF-16 unit', async () => {
      const [a, b] = [user(), user()];
      await store.tryStart(call(a, b, '\u{1F4DE}'));
      const outcome = await store.tryStart(call(b, a, '\uFF5E'));
      expect(outcome).toMatchObject({ kind: 'started', displaced: { callId: '\u{1F4DE}' } });
    });

    it('is no glare once the call is accepted', async () => {
      const [a, b] = [user(), user()];
      const first = call(a, b, 'z');
      await store.tryStart(first);
      await store.tryAccept(first.callId, b, 'b-conn', new Date(T0 + 1_000));
      expect(await store.tryStart(call(b, a, 'a'))).toEqual({ kind: 'caller-busy' });
    });

    it('answers concurrent glare starts with exactly one survivor, the lower id', async () => {
      for (let round = 0; round < 5; round++) {
        const [a, b] = [user(), user()];
        const outcomes = await Promise.all([
          store.tryStart(call(a, b, `${round}-y`)),
          store.tryStart(call(b, a, `${round}-x`)),
        ]);
        expect(outcomes.map((o) => o.kind)).toContain('started');
        expect((await store.callOf(a))?.callId).toBe(`${round}-x`);
        expect((await store.callOf(b))?.callId).toBe(`${round}-x`);
      }
    });

    it('accepts once: exactly one of concurrent accepts wins', async () => {
      const [a, b] = [user(), user()];
      const live = call(a, b);
      await store.tryStart(live);
      const answeredAt = new Date(T0 + 2_000);
      const results = await Promise.all(
        ['b1', 'b2', 'b3', 'b4'].map((conn) => store.tryAccept(live.callId, b, conn, answeredAt)),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toEqual({
        ...live,
        state: 'accepted',
        answeredAt,
        calleeConnectionId: expect.stringMatching(/^b[1-4]$/),
      });
      expect(await store.get(live.callId)).toEqual(winners[0]);
      expect(await store.callOf(a)).toEqual(winners[0]);
    });

    it('refuses an accept by someone else, of an accepted call and of an unknown one', async () => {
      const [a, b] = [user(), user()];
      const live = call(a, b);
      await store.tryStart(live);
      const now = new Date(T0);
      expect(await store.tryAccept(live.callId, a, 'a-conn', now)).toBeNull();
      expect(await store.tryAccept(live.callId, user(), 'x', now)).toBeNull();
      expect(await store.tryAccept(ids.newId() as CallId, b, 'b1', now)).toBeNull();
      expect(await store.get(live.callId)).toEqual(live);
      expect(await store.tryAccept(live.callId, b, 'b1', now)).not.toBeNull();
      expect(await store.tryAccept(live.callId, b, 'b2', now)).toBeNull();
      expect((await store.get(live.callId))?.calleeConnectionId).toBe('b1');
    });

    it('ends a call once, only in the expected state, and frees both users', async () => {
      const [a, b, c] = [user(), user(), user()];
      const live = call(a, b);
      await store.tryStart(live);
      expect(await store.tryEnd(live.callId, 'accepted')).toBeNull();
      const results = await Promise.all([
        store.tryEnd(live.callId, 'ringing'),
        store.tryEnd(live.callId, 'ringing'),
        store.tryEnd(live.callId, 'ringing'),
      ]);
      expect(results.filter((r) => r !== null)).toEqual([live]);
      expect(await store.get(live.callId)).toBeNull();
      expect(await store.callOf(a)).toBeNull();
      expect(await store.callOf(b)).toBeNull();
      expect(await store.tryStart(call(b, c))).toMatchObject({ kind: 'started' });
      expect(await store.tryStart(call(a, c))).toEqual({ kind: 'callee-busy' });
    });

    it('lets an accept and an end race with exactly one of them winning', async () => {
      const [a, b] = [user(), user()];
      const live = call(a, b);
      await store.tryStart(live);
      const [accepted, ended] = await Promise.all([
        store.tryAccept(live.callId, b, 'b1', new Date(T0)),
        store.tryEnd(live.callId, 'ringing'),
      ]);
      expect([accepted, ended].filter((r) => r !== null)).toHaveLength(1);
    });

    it('ends an accepted call with its accepting connection', async () => {
      const [a, b] = [user(), user()];
      const live = call(a, b);
      await store.tryStart(live);
      await store.tryAccept(live.callId, b, 'b1', new Date(T0 + 1));
      expect(await store.tryEnd(live.callId, 'ringing')).toBeNull();
      expect(await store.tryEnd(live.callId, 'accepted')).toMatchObject({
        state: 'accepted',
        calleeConnectionId: 'b1',
      });
      expect(await store.callOf(b)).toBeNull();
    });
  });
}
