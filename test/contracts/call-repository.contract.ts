/**
 * @module The `CallRepository` contract, run against every adapter: a callId
 * stored at most once (also under concurrent inserts), statuses that only
 * move forward, and a user's calls newest first, paged by offset or after a
 * cursor, never other users'.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { CallId, CallRecord, CallRepository, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const user = () => ids.newId() as UserId;
const at = (ms: number) => new Date(T0 + ms);

function ringingCall(callerId: UserId, calleeId: UserId, startMs = 0, id?: string): CallRecord {
  return {
    id: (id ?? ids.newId()) as CallId,
    callerId,
    calleeId,
    media: 'audio',
    status: 'ringing',
    startedAt: at(startMs),
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
  };
}

export function describeCallRepositoryContract(
  name: string,
  setup: () => Promise<CallRepository> | CallRepository,
): void {
  describe(`CallRepository contract: ${name}`, () => {
    let calls: CallRepository;

    beforeEach(async () => {
      calls = await setup();
    });

    it('stores a call and finds it by id; unknown and malformed ids are null', async () => {
      const record = { ...ringingCall(user(), user()), media: 'video' as const };
      expect(await calls.insert(record)).toBe(true);
      expect(await calls.findById(record.id)).toEqual(record);
      expect(await calls.findById(ids.newId())).toBeNull();
      expect(await calls.findById('not an id')).toBeNull();
    });

    it('keeps client-chosen ids of any shape', async () => {
      const record = ringingCall(user(), user(), 0, 'call 📞 #1');
      expect(await calls.insert(record)).toBe(true);
      expect(await calls.findById('call 📞 #1')).toEqual(record);
    });

    it('stores an id at most once, also under concurrent inserts', async () => {
      const a = user();
      const b = user();
      const first = ringingCall(a, b, 0, 'dup');
      const attempts = await Promise.all(
        Array.from({ length: 10 }, (_, i) => calls.insert({ ...first, startedAt: at(i) })),
      );
      expect(attempts.filter(Boolean)).toHaveLength(1);
      expect(await calls.insert(first)).toBe(false);
      expect((await calls.listForUser(a, { limit: 50, offset: 0 })).length).toBe(1);
    });

    it('records a refused call with its final status at once', async () => {
      const record: CallRecord = {
        ...ringingCall(user(), user()),
        status: 'busy',
        endReason: 'busy',
        endedAt: at(0),
      };
      await calls.insert(record);
      expect(await calls.findById(record.id)).toEqual(record);
      expect(await calls.markAnswered(record.id, at(1))).toBe(false);
      expect(
        await calls.finish(record.id, {
          status: 'missed',
          endReason: 'timeout',
          endedAt: at(2),
          durationSec: null,
        }),
      ).toBe(false);
      expect(await calls.findById(record.id)).toEqual(record);
    });

    it('moves ringing → ongoing → completed, and never back or twice', async () => {
      const record = ringingCall(user(), user());
      await calls.insert(record);
      expect(await calls.markAnswered(record.id, at(5_000))).toBe(true);
      expect(await calls.markAnswered(record.id, at(6_000))).toBe(false);
      expect(await calls.findById(record.id)).toMatchObject({
        status: 'ongoing',
        answeredAt: at(5_000),
      });
      const end = {
        status: 'completed',
        endReason: 'hangup',
        endedAt: at(65_000),
        durationSec: 60,
      } as const;
      expect(await calls.finish(record.id, end)).toBe(true);
      expect(
        await calls.finish(record.id, { ...end, endReason: 'disconnected', durationSec: 61 }),
      ).toBe(false);
      expect(await calls.markAnswered(record.id, at(70_000))).toBe(false);
      expect(await calls.findById(record.id)).toEqual({
        ...record,
        status: 'completed',
        answeredAt: at(5_000),
        endedAt: at(65_000),
        durationSec: 60,
        endReason: 'hangup',
      });
    });

    it('finishes a ringing call unanswered, and exactly once under concurrent finishes', async () => {
      const record = ringingCall(user(), user());
      await calls.insert(record);
      const results = await Promise.all(
        (['timeout', 'hangup', 'disconnected'] as const).map((endReason) =>
          calls.finish(record.id, {
            status: 'missed',
            endReason,
            endedAt: at(1),
            durationSec: null,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await calls.findById(record.id)).toMatchObject({
        status: 'missed',
        answeredAt: null,
        durationSec: null,
      });
    });

    it('changes nothing for unknown ids', async () => {
      const id = ids.newId() as CallId;
      expect(await calls.markAnswered(id, at(0))).toBe(false);
      expect(
        await calls.finish(id, {
          status: 'missed',
          endReason: 'timeout',
          endedAt: at(0),
          durationSec: null,
        }),
      ).toBe(false);
      expect(await calls.findById(id)).toBeNull();
    });

    it('lists the calls a user took part in, newest first, paged', async () => {
      const me = user();
      const peer = user();
      const stranger = user();
      const made = ringingCall(me, peer, 1_000);
      const received = ringingCall(peer, me, 3_000);
      const other = ringingCall(peer, stranger, 2_000);
      const older = ringingCall(me, stranger, 0);
      for (const record of [made, received, other, older]) await calls.insert(record);

      const all = await calls.listForUser(me, { limit: 50, offset: 0 });
      expect(all.map((r) => r.id)).toEqual([received.id, made.id, older.id]);
      expect(all[0]).toEqual(received);
      const page = await calls.listForUser(me, { limit: 1, offset: 1 });
      expect(page.map((r) => r.id)).toEqual([made.id]);
      expect(await calls.listForUser(me, { limit: 5, offset: 3 })).toEqual([]);
      expect(
        (await calls.listForUser(stranger, { limit: 50, offset: 0 })).map((r) => r.id),
      ).toEqual([other.id, older.id]);
      expect(await calls.listForUser(user(), { limit: 50, offset: 0 })).toEqual([]);
    });

    it('breaks startedAt ties by id, newest id first', async () => {
      const me = user();
      const a = ringingCall(me, user(), 0, 'aaa');
      const b = ringingCall(user(), me, 0, 'bbb');
      await calls.insert(a);
      await calls.insert(b);
      const list = await calls.listForUser(me, { limit: 50, offset: 0 });
      expect(list.map((r) => r.id)).toEqual(['bbb', 'aaa']);
    });

    it('pages after a cursor: the calls older than it, ties by id, then offset within those', async () => {
      const me = user();
      // Five calls at three times; ties at 1 000 and 2 000 ms, ids of any shape.
      const made = [
        ringingCall(me, user(), 0, 'e-oldest'),
        ringingCall(user(), me, 1_000, 'b-tie'),
        ringingCall(me, user(), 1_000, 'd-tie'),
        ringingCall(me, user(), 1_000, 'c-tie'),
        ringingCall(user(), me, 2_000, 'a-newest'),
      ];
      for (const record of made) await calls.insert(record);
      await calls.insert(ringingCall(user(), user(), 1_000, 'z-someone-else'));
      const order = ['a-newest', 'd-tie', 'c-tie', 'b-tie', 'e-oldest'];
      const all = await calls.listForUser(me, { limit: 50, offset: 0 });
      expect(all.map((r) => r.id)).toEqual(order);

      // Walking page by page with the last id of each page visits every call once, in order.
      const walked: string[] = [];
      let before: { startedAt: Date; id: string } | undefined;
      for (;;) {
        const page = await calls.listForUser(me, {
          limit: 2,
          offset: 0,
          ...(before ? { before } : {}),
        });
        if (page.length === 0) break;
        walked.push(...page.map((r) => r.id));
        const last = page.at(-1)!;
        before = { startedAt: last.startedAt, id: last.id };
      }
      expect(walked).toEqual(order);

      const cursorAt = (id: string) => {
        const cursor = made.find((r) => r.id === id)!;
        return { startedAt: cursor.startedAt, id };
      };
      expect(
        (await calls.listForUser(me, { limit: 50, offset: 0, before: cursorAt('d-tie') })).map(
          (r) => r.id,
        ),
      ).toEqual(['c-tie', 'b-tie', 'e-oldest']);
      expect(
        (await calls.listForUser(me, { limit: 1, offset: 1, before: cursorAt('d-tie') })).map(
          (r) => r.id,
        ),
      ).toEqual(['b-tie']);
      expect(
        await calls.listForUser(me, { limit: 5, offset: 0, before: cursorAt('e-oldest') }),
      ).toEqual([]);
      // A cursor between stored calls (a time and id nobody has) works as well.
      expect(
        (
          await calls.listForUser(me, {
            limit: 50,
            offset: 0,
            before: { startedAt: at(1_500), id: 'x' },
          })
        ).map((r) => r.id),
      ).toEqual(['d-tie', 'c-tie', 'b-tie', 'e-oldest']);
      expect(
        (
          await calls.listForUser(me, {
            limit: 50,
            offset: 0,
            before: { startedAt: at(1_000), id: 'c-tie' },
          })
        ).map((r) => r.id),
      ).toEqual(['b-tie', 'e-oldest']);
    });
  });
}
