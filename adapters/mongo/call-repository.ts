/**
 * @module The call history in MongoDB, exact on MongoDB and on FerretDB 1.24
 * without transactions and without any conditional update.
 *
 * Why no conditional update: FerretDB 1.24 applies `updateOne`,
 * `findOneAndUpdate` and `$inc` as read-then-write-back-by-`_id` without
 * re-checking the filter, so "set ongoing where status is ringing" can have
 * several winners there. Only two primitives are exact on both servers, and
 * this file uses just one of them: an insert into a unique index (here `_id`)
 * succeeds for exactly one caller.
 *
 * Collections:
 * - `calls`: one document per call, `_id` = the client-chosen `callId` as a
 *   plain string (any text; never an ObjectId), written once by `insert` and
 *   never updated. It holds the record as inserted (`ringing`, or final at
 *   once for busy, unavailable and glare) and `participants` (caller and
 *   callee) for the history index (`participants`, `startedAt` desc, `_id`
 *   desc).
 * - `call_transitions`: the call's later history as an append-only log of at
 *   most two entries, `_id` = `'<step>:' + callId` with step 1 or 2; an entry
 *   is either `answered` (with `answeredAt`) or `final` (status, reason,
 *   `endedAt`, `durationSec`). The step prefix keeps every call's entries
 *   apart whatever its id contains.
 *
 * A call's current record is its `calls` document with its log entries applied
 * in step order; every read (`findById`, `listForUser`, and the check inside
 * `markAnswered` and `finish`) merges them. A transition reads the record,
 * checks that it is allowed from the current status (`markAnswered`: ringing;
 * `finish`: ringing or ongoing), and inserts its entry at the next free step.
 * Two transitions racing for the same step collide on `_id`: exactly one is
 * stored, and the loser reads again and re-decides against the winner's
 * entry. So the log is a sequence in which each entry was checked against
 * exactly the entries before it, which never change:
 * - `markAnswered` can only ever be step 1 of a call inserted `ringing`, hence
 *   exactly one winner, and none once a finish took step 1;
 * - `finish` is step 1 (from ringing) or step 2 (after `answered`), and after
 *   a `final` entry nothing is allowed, hence at most once, never from a final
 *   status, and a final status (inserted or logged) is never rewritten.
 * A status therefore only moves forward, as the port requires, on FerretDB as
 * on MongoDB. Status and time fields of `calls` are never updated, so no slow
 * writer can move a status back either.
 *
 * Crash analysis: every method performs at most one write, a single-document
 * insert (the call, or one log entry); the log entry is the transition, not a
 * claim followed by an update. There is thus no state between two writes to
 * recover from: a process that dies before its insert changed nothing; one
 * that dies after it made the transition, visible to every later read (the
 * caller just never learned that it won). A materialised copy of the status on
 * the `calls` document was rejected: keeping it monotone needs a conditional
 * update, which FerretDB does not apply atomically (a slow step-1 writer could
 * overwrite the step-2 status), so reads would have to merge the log anyway.
 * Log entries exist only for calls that exist (their check reads the call
 * first, and calls are never deleted).
 *
 * Costs: `findById`, `markAnswered` and `finish` read the call and its log in
 * parallel (two queries by `_id`); `listForUser` reads one page of calls
 * through the history index, then that page's log entries by `_id`. A page
 * after a cursor (`before`) is a range of that index, starting at the
 * cursor's `startedAt`, so it costs the page at any depth; only `offset`
 * pages without a cursor skip what lies before them.
 */
import type { Db, Filter, ObjectId } from 'mongodb';
import {
  type CallId,
  type CallMedia,
  type CallRecord,
  type CallRepository,
  type CallStatus,
  type EndReason,
  type FinalCallStatus,
  isFinalCallStatus,
  type UserId,
} from '../../core/index.js';
import { isDuplicateKeyError, requireObjectId, toObjectId, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface CallDoc {
  _id: string;
  callerId: ObjectId;
  calleeId: ObjectId;
  /** Caller and callee, for the history index. */
  participants: ObjectId[];
  media: CallMedia;
  status: CallStatus;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSec: number | null;
  endReason: EndReason | null;
}

type Step = 1 | 2;

interface AnsweredEntry {
  _id: string;
  callId: string;
  step: Step;
  kind: 'answered';
  answeredAt: Date;
}

interface FinalEntry {
  _id: string;
  callId: string;
  step: Step;
  kind: 'final';
  status: FinalCallStatus;
  endReason: EndReason;
  endedAt: Date;
  durationSec: number | null;
}

type TransitionDoc = AnsweredEntry | FinalEntry;

/** What a transition appends, before it knows its step. */
type Transition =
  | Omit<AnsweredEntry, '_id' | 'callId' | 'step'>
  | Omit<FinalEntry, '_id' | 'callId' | 'step'>;

// ringing → ongoing → final is the longest path: a call's log never outgrows this.
const MAX_STEPS = 2;

const entryId = (callId: string, step: number) => `${step}:${callId}`;

/** The call history on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoCallRepository(db: Db): CallRepository {
  const calls = db.collection<CallDoc>(COLLECTIONS.calls);
  const log = db.collection<TransitionDoc>(COLLECTIONS.callTransitions);

  // The call's current record and the last step of its log, or null when unknown.
  async function load(id: string): Promise<{ record: CallRecord; lastStep: number } | null> {
    const stepIds = Array.from({ length: MAX_STEPS }, (_, i) => entryId(id, i + 1));
    const [doc, entries] = await Promise.all([
      calls.findOne({ _id: id }),
      log.find({ _id: { $in: stepIds } }).toArray(),
    ]);
    if (!doc) return null;
    return {
      record: applyLog(fromDoc(doc), entries),
      lastStep: Math.max(0, ...entries.map((entry) => entry.step)),
    };
  }

  // Appends `transition` when `allowed` holds for the current status; false otherwise.
  async function transit(
    id: string,
    allowed: (status: CallStatus) => boolean,
    transition: Transition,
  ): Promise<boolean> {
    // Each lost race means another entry took a step, and there are only MAX_STEPS.
    for (let attempt = 0; attempt <= MAX_STEPS; attempt++) {
      const current = await load(id);
      if (!current || !allowed(current.record.status)) return false;
      const step = current.lastStep + 1;
      if (step > MAX_STEPS) return false;
      try {
        await log.insertOne({
          ...transition,
          _id: entryId(id, step),
          callId: id,
          step: step as Step,
        } as TransitionDoc);
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    return false;
  }

  return withMongoErrors<CallRepository>({
    async insert(record) {
      try {
        await calls.insertOne(toDoc(record));
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    async findById(id) {
      return (await load(id))?.record ?? null;
    },
    async markAnswered(id, answeredAt) {
      return transit(id, (status) => status === 'ringing', { kind: 'answered', answeredAt });
    },
    async finish(id, end) {
      return transit(id, (status) => !isFinalCallStatus(status), {
        kind: 'final',
        status: end.status,
        endReason: end.endReason,
        endedAt: end.endedAt,
        durationSec: end.durationSec,
      });
    },
    async listForUser(userId, { limit, offset, before }) {
      const user = toObjectId(userId);
      // A limit of 0 means "no limit" to the driver.
      if (!user || limit <= 0) return [];
      const filter: Filter<CallDoc> = { participants: user };
      if (before !== undefined) {
        // A range of the history index: the scan starts at the cursor's time,
        // and the `$or` only drops the cursor's same-time neighbours it has passed.
        filter.startedAt = { $lte: before.startedAt };
        filter.$or = [{ startedAt: { $lt: before.startedAt } }, { _id: { $lt: before.id } }];
      }
      let cursor = calls.find(filter).sort({ startedAt: -1, _id: -1 });
      if (offset > 0) cursor = cursor.skip(offset);
      const docs = await cursor.limit(limit).toArray();
      if (docs.length === 0) return [];
      const stepIds = docs.flatMap((doc) =>
        Array.from({ length: MAX_STEPS }, (_, i) => entryId(doc._id, i + 1)),
      );
      const byCall = new Map<string, TransitionDoc[]>();
      for (const entry of await log.find({ _id: { $in: stepIds } }).toArray()) {
        byCall.set(entry.callId, [...(byCall.get(entry.callId) ?? []), entry]);
      }
      return docs.map((doc) => applyLog(fromDoc(doc), byCall.get(doc._id) ?? []));
    },
  });
}

function toDoc(record: CallRecord): CallDoc {
  const callerId = requireObjectId(record.callerId, 'Caller id');
  const calleeId = requireObjectId(record.calleeId, 'Callee id');
  return {
    _id: record.id,
    callerId,
    calleeId,
    participants: [callerId, calleeId],
    media: record.media,
    status: record.status,
    startedAt: record.startedAt,
    answeredAt: record.answeredAt,
    endedAt: record.endedAt,
    durationSec: record.durationSec,
    endReason: record.endReason,
  };
}

function fromDoc(doc: CallDoc): CallRecord {
  return {
    id: doc._id as CallId,
    callerId: doc.callerId.toHexString() as UserId,
    calleeId: doc.calleeId.toHexString() as UserId,
    media: doc.media,
    status: doc.status,
    startedAt: doc.startedAt,
    answeredAt: doc.answeredAt,
    endedAt: doc.endedAt,
    durationSec: doc.durationSec,
    endReason: doc.endReason,
  };
}

// The record after its log entries, in step order.
function applyLog(record: CallRecord, entries: readonly TransitionDoc[]): CallRecord {
  let current = record;
  for (const entry of [...entries].sort((a, b) => a.step - b.step)) {
    current =
      entry.kind === 'answered'
        ? { ...current, status: 'ongoing', answeredAt: entry.answeredAt }
        : {
            ...current,
            status: entry.status,
            endReason: entry.endReason,
            endedAt: entry.endedAt,
            durationSec: entry.durationSec,
          };
  }
  return current;
}
