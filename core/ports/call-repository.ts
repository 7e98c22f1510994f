/** @module The call history (API.md §6). */
import type { CallId, CallRecord, EndReason, FinalCallStatus, UserId } from '../model.js';

/** How a call ended. */
export interface CallEnd {
  readonly status: FinalCallStatus;
  readonly endReason: EndReason;
  readonly endedAt: Date;
  /** Whole seconds from answer to end; null for a call never answered. */
  readonly durationSec: number | null;
}

/** Where a page of the history starts: after (older than) the call with this `startedAt` and id. */
export interface CallCursor {
  readonly startedAt: Date;
  readonly id: string;
}

/** A page of a user's history: `offset` skips within the calls older than `before` (all when absent). */
export interface CallPage {
  readonly limit: number;
  readonly offset: number;
  readonly before?: CallCursor;
}

/**
 * Every call from its first ring (or its refusal as busy, unavailable or
 * glare), keyed by its `callId`.
 *
 * Guarantees:
 * - a `callId` is stored at most once, ever, even under concurrent inserts;
 * - a status only moves forward: `ringing` → `ongoing` → final, or `ringing`
 *   → final; a final status is never rewritten, so a repeated or late
 *   `markAnswered`/`finish` changes nothing.
 */
export interface CallRepository {
  /** Stores a new call; false, writing nothing, when its id is already taken. */
  insert(record: CallRecord): Promise<boolean>;
  /** Unknown and malformed ids are null. */
  findById(id: string): Promise<CallRecord | null>;
  /** A `ringing` call becomes `ongoing` with `answeredAt`; false (no change) otherwise. */
  markAnswered(id: CallId, answeredAt: Date): Promise<boolean>;
  /** A `ringing` or `ongoing` call gets its final status; false (no change) otherwise. */
  finish(id: CallId, end: CallEnd): Promise<boolean>;
  /**
   * Calls `userId` took part in (as caller or callee), newest `startedAt`
   * first, then by id (code-point order, larger first). With `before`, the
   * page is found by its range in that order, so it costs the page however
   * long the history is; a deep `offset` costs what it skips.
   */
  listForUser(userId: UserId, page: CallPage): Promise<CallRecord[]>;
}
