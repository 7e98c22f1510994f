/**
 * @module The `EventLog` contract, run against every adapter: `seq` from 1
 * per user, strictly increasing and without holes; reads in `seq` order;
 * prune keeps the newest event, so `seq` never starts over; and the
 * must-have case, concurrent writers to one user (through several log
 * instances, as several server instances would) never leave a hole a reader
 * could see and later find filled (the no-late-gap guarantee).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { EventLog, LoggedEvent, MessageId, SyncEvent, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const newId = () => ids.newId() as UserId;
const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));

const read = (n: number): SyncEvent => ({
  type: 'conversation-read',
  peerId: 'p'.repeat(24) as UserId,
  upTo: `m${n}` as MessageId,
  readAt: at(n),
});

/**
 * Registers the event log contract for one adapter. `setup` gives an empty
 * store seen through `instances` logs (several for a shared database: each
 * stands for one server instance with its own memory).
 */
export function describeEventLogContract(
  name: string,
  setup: () => Promise<EventLog[]> | EventLog[],
): void {
  describe(`EventLog contract: ${name}`, () => {
    let logs: EventLog[];
    let log: EventLog;
    beforeEach(async () => {
      logs = await setup();
      log = logs[0]!;
    });

    it('numbers each user’s events from 1 and reads them back in order', async () => {
      const [alice, bob] = [newId(), newId()];
      expect(await log.head(alice)).toBe(0);
      expect(await log.readAfter(alice, 0, 10)).toEqual([]);
      const first = await log.append(alice, read(1), at(1));
      expect(first).toEqual({ ...read(1), seq: 1, at: at(1) });
      await log.append(alice, read(2), at(2));
      await log.append(bob, read(3), at(3));
      await log.append(alice, read(4), at(4));
      expect(await log.head(alice)).toBe(3);
      expect(await log.head(bob)).toBe(1);
      expect((await log.readAfter(alice, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await log.readAfter(alice, 1, 1)).toEqual([{ ...read(2), seq: 2, at: at(2) }]);
      expect(await log.readAfter(alice, 3, 10)).toEqual([]);
      expect(await log.readAfter(bob, 0, 10)).toEqual([{ ...read(3), seq: 1, at: at(3) }]);
    });

    it('keeps every kind of event as it was logged, dates included', async () => {
      const user = newId();
      const message = {
        id: ids.newId() as MessageId,
        conversationId: ids.newId(),
        senderId: newId(),
        receiverId: user,
        content: 'héllo \u{1F600}',
        messageType: 'text',
        clientMessageId: 'c-1',
        createdAt: at(5),
      } as const;
      const events: SyncEvent[] = [
        { type: 'new-message', message: message as never },
        { type: 'message-delivered', messageId: message.id, to: newId(), deliveredAt: at(6) },
        { type: 'messages-read', by: newId(), upTo: message.id, readAt: at(7) },
        read(8),
        {
          type: 'missed-call',
          call: {
            id: 'c-42' as never,
            callerId: newId(),
            calleeId: user,
            media: 'video',
            status: 'missed',
            startedAt: at(1),
            answeredAt: null,
            endedAt: at(9),
            durationSec: null,
            endReason: 'timeout',
          },
        },
      ];
      for (const event of events) await log.append(user, event, at(10));
      const back = await log.readAfter(user, 0, 10);
      expect(back).toEqual(events.map((event, i) => ({ ...event, seq: i + 1, at: at(10) })));
    });

    it('prunes old events but never the newest, so seq goes on', async () => {
      const user = newId();
      for (let n = 1; n <= 4; n++) await log.append(user, read(n), at(n));
      await log.prune(user, at(3), 4);
      expect((await log.readAfter(user, 0, 10)).map((e) => e.seq)).toEqual([3, 4]);
      // Everything is old: the newest stays all the same.
      await log.prune(user, at(59), 4);
      expect((await log.readAfter(user, 0, 10)).map((e) => e.seq)).toEqual([4]);
      expect(await log.head(user)).toBe(4);
      expect((await log.append(user, read(5), at(5))).seq).toBe(5);
    });

    it('removes every event of one user, and only theirs', async () => {
      const [alice, bob] = [newId(), newId()];
      await log.append(alice, read(1), at(1));
      await log.append(bob, read(2), at(2));
      await log.removeAll(alice);
      await log.removeAll(alice);
      expect(await log.readAfter(alice, 0, 10)).toEqual([]);
      expect(await log.head(alice)).toBe(0);
      expect(await log.head(bob)).toBe(1);
    });

    it('gives concurrent writers distinct seqs without holes, and readers never see one', async () => {
      const user = newId();
      const writers = 8;
      const each = 25;
      const total = writers * each;
      let done = false;
      // A reader going along: every read must go on from where it stood, with no hole.
      const reader = (async () => {
        let seen = 0;
        const problems: string[] = [];
        while (!done || seen < total) {
          const found: LoggedEvent[] = await logs[0]!.readAfter(user, seen, 1000);
          found.forEach((event, i) => {
            if (event.seq !== seen + i + 1) {
              problems.push(`after ${seen}: got ${found.map((e) => e.seq).join(',')}`);
            }
          });
          if (problems.length > 0) break;
          seen += found.length;
          if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        return problems;
      })();
      const appended = await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const mine: number[] = [];
          for (let n = 0; n < each; n++) {
            const event = await logs[w % logs.length]!.append(user, read(w * each + n), at(1));
            mine.push(event.seq);
          }
          return mine;
        }),
      );
      done = true;
      expect(await reader).toEqual([]);
      const seqs = appended.flat().sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      for (const mine of appended) {
        // Each writer's own events are in the order it wrote them.
        expect(mine).toEqual([...mine].sort((a, b) => a - b));
      }
      expect(await log.head(user)).toBe(total);
      const stored = await log.readAfter(user, 0, total + 1);
      expect(stored.map((e) => e.seq)).toEqual(seqs);
    });
  });
}
