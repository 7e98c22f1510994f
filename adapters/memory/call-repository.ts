/**
 * @module In-memory call history. No method awaits between its check and its
 * change, so each is atomic on the event loop.
 *
 * Each user's calls are kept in an index of their own, in history order, so
 * a page of the history costs the page, not the user's whole history (one
 * user can be rung tens of thousands of times: SECURITY.md). A call's
 * `startedAt` and id never change, so its place in the index never does.
 */
import {
  type CallCursor,
  type CallRecord,
  type CallRepository,
  compareCallIds,
  isFinalCallStatus,
  type UserId,
} from '../../core/index.js';

/** History order, oldest first: `startedAt`, then the id in code-point order (as MongoDB sorts strings). */
function compareHistory(a: CallRecord, b: CallRecord): number {
  const byTime = a.startedAt.getTime() - b.startedAt.getTime();
  return byTime !== 0 ? byTime : compareCallIds(a.id, b.id);
}

/** The call history in this process, honouring every guarantee of `CallRepository`. */
export function createMemoryCallRepository(): CallRepository {
  const byId = new Map<string, CallRecord>();
  /** Per user, the ids of their calls, oldest first. */
  const byUser = new Map<UserId, string[]>();

  function index(userId: UserId, record: CallRecord): void {
    let ids = byUser.get(userId);
    if (ids === undefined) {
      ids = [];
      byUser.set(userId, ids);
    }
    // New calls nearly always come last: the search ends at once and the splice appends.
    let low = 0;
    let high = ids.length;
    if (high > 0 && compareHistory(byId.get(ids[high - 1]!)!, record) <= 0) low = high;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareHistory(byId.get(ids[middle]!)!, record) <= 0) low = middle + 1;
      else high = middle;
    }
    ids.splice(low, 0, record.id);
  }

  /** How many of `ids` come before the cursor in history order (a binary search). */
  function positionOf(ids: readonly string[], cursor: CallCursor): number {
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const record = byId.get(ids[middle]!)!;
      const byTime = record.startedAt.getTime() - cursor.startedAt.getTime();
      const order = byTime !== 0 ? byTime : compareCallIds(record.id, cursor.id);
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  return {
    async insert(record) {
      if (byId.has(record.id)) return false;
      byId.set(record.id, { ...record });
      index(record.callerId, record);
      if (record.calleeId !== record.callerId) index(record.calleeId, record);
      return true;
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async markAnswered(id, answeredAt) {
      const record = byId.get(id);
      if (record?.status !== 'ringing') return false;
      byId.set(id, { ...record, status: 'ongoing', answeredAt });
      return true;
    },
    async finish(id, end) {
      const record = byId.get(id);
      if (record === undefined || isFinalCallStatus(record.status)) return false;
      byId.set(id, {
        ...record,
        status: end.status,
        endReason: end.endReason,
        endedAt: end.endedAt,
        durationSec: end.durationSec,
      });
      return true;
    },
    async listForUser(userId, { limit, offset, before }) {
      const ids = byUser.get(userId) ?? [];
      // Newest first: the page runs backwards from the end of the index, or from the cursor.
      const start = before === undefined ? ids.length : positionOf(ids, before);
      const end = Math.max(0, start - offset);
      const page: CallRecord[] = [];
      for (let i = end - 1; i >= 0 && page.length < limit; i--) page.push(byId.get(ids[i]!)!);
      return page;
    },
  };
}
