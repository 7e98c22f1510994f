/**
 * @module Each user's event log in MongoDB (`events` collection): one
 * document per event, `{ userId, seq, at, event }`, unique on (`userId`,
 * `seq`) (docs/API.md "Sync").
 *
 * Allocation is insert-and-retry on the unique index, not a counter: the
 * next `seq` is the highest committed one plus 1, and the insert either
 * takes it or fails with E11000 (another writer took it; read the head again
 * and retry). A unique index is enforced by every store we run on (MongoDB,
 * FerretDB on SQLite and on PostgreSQL), where a conditional update or a
 * `$inc` counter is not atomic on FerretDB. It also leaves no holes, which is
 * the no-late-gap guarantee: a writer inserts n + 1 only after it saw n
 * committed (read from the head, or acknowledged to itself), so any reader
 * that finds n + 1 can find n. A counter would allocate n + 1 while n's
 * insert may still be on its way, and a reader would see n + 1 first.
 *
 * The head of each user this process wrote last is kept (up to
 * `MAX_KNOWN_HEADS` users), so an append is usually one insert; a stale head
 * (another instance appended) costs one E11000 and one head read. Appends to
 * one user queue up in this process, so only instances race each other, and
 * a loser backs off with jitter before it tries again.
 *
 * Crash analysis: an append is one insert, so an event is either logged with
 * its `seq` or not at all. A crash after the insert but before the push
 * leaves an event the connections never got: the next event shows them the
 * hole, and they read it from here (adapters/ws/lifecycle.ts); a client that
 * was away reads it on resume. A message stored but whose events were never logged (the
 * process died between the two writes; the send was not answered `201`) is in
 * the conversation but in nobody's log; a retry of the send returns it
 * without logging it.
 */
import type { Db } from 'mongodb';
import {
  type EventLog,
  type LoggedEvent,
  type SyncEvent,
  ValidationError,
  withFields,
} from '../../core/index.js';
import { isDuplicateKeyError, isUnstorableTextError, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface EventDoc {
  userId: string;
  seq: number;
  at: Date;
  event: SyncEvent;
}

/** Heads remembered per process; beyond this the memory is cleared (the next append reads the head). */
const MAX_KNOWN_HEADS = 100_000;
/** Tries of one append under contention before giving up. */
const MAX_TRIES = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The event log on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoEventLog(db: Db): EventLog {
  const events = db.collection<EventDoc>(COLLECTIONS.events);
  const heads = new Map<string, number>();
  /** The last append queued per user in this process. */
  const queues = new Map<string, Promise<void>>();

  async function headOf(userId: string): Promise<number> {
    const newest = await events
      .find({ userId }, { projection: { _id: 0, seq: 1 } })
      .sort({ seq: -1 })
      .limit(1)
      .next();
    return newest?.seq ?? 0;
  }

  async function appendNow(userId: string, event: SyncEvent, at: Date): Promise<LoggedEvent> {
    let seq = (heads.get(userId) ?? (await headOf(userId))) + 1;
    for (let tries = 1; ; tries++) {
      try {
        // The driver adds `_id` to the document it is given: a fresh one per try.
        await events.insertOne({ userId, seq, at, event });
        remember(userId, seq);
        return withFields(event, { seq, at }) as LoggedEvent;
      } catch (error) {
        if (isUnstorableTextError(error)) {
          throw ValidationError.at(
            'content',
            'This server stores messages in PostgreSQL, which cannot hold U+0000 (NUL); leave it out or encode the text.',
          );
        }
        if (!isDuplicateKeyError(error) || tries >= MAX_TRIES) throw error;
        // Lost to another instance: back off a little (more each time, with jitter) and retry.
        if (tries > 2) await sleep(Math.random() * Math.min(50, tries * 2));
        seq = (await headOf(userId)) + 1;
      }
    }
  }

  function remember(userId: string, seq: number): void {
    if (heads.size >= MAX_KNOWN_HEADS && !heads.has(userId)) heads.clear();
    if ((heads.get(userId) ?? 0) < seq) heads.set(userId, seq);
  }

  return withMongoErrors<EventLog>({
    append(userId, event, at) {
      // One append per user at a time in this process: writers then race only
      // across instances, not with their own siblings.
      const previous = queues.get(userId);
      const run = (previous ?? Promise.resolve()).then(() => appendNow(userId, event, at));
      const tail = run.then(
        () => {},
        () => {},
      );
      queues.set(userId, tail);
      void tail.then(() => {
        if (queues.get(userId) === tail) queues.delete(userId);
      });
      return run;
    },
    async readAfter(userId, since, limit) {
      if (limit <= 0) return [];
      const docs = await events
        .find({ userId, seq: { $gt: since } }, { projection: { _id: 0 } })
        .sort({ seq: 1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) => withFields(doc.event, { seq: doc.seq, at: doc.at }) as LoggedEvent);
    },
    head: headOf,
    async prune(userId, before, belowSeq) {
      await events.deleteMany({ userId, seq: { $lt: belowSeq }, at: { $lt: before } });
    },
    async removeAll(userId) {
      heads.delete(userId);
      await events.deleteMany({ userId });
    },
  });
}
