/**
 * @module In-memory call history. No method awaits between its check and its
 * change, so each is atomic on the event loop.
 */
import { type CallRecord, type CallRepository, compareCallIds } from '../../core/index.js';

/** The call history in this process, honouring every guarantee of `CallRepository`. */
export function createMemoryCallRepository(): CallRepository {
  const byId = new Map<string, CallRecord>();

  return {
    async insert(record) {
      if (byId.has(record.id)) return false;
      byId.set(record.id, { ...record });
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
      if (record?.status !== 'ringing' && record?.status !== 'ongoing') return false;
      byId.set(id, {
        ...record,
        status: end.status,
        endReason: end.endReason,
        endedAt: end.endedAt,
        durationSec: end.durationSec,
      });
      return true;
    },
    async listForUser(userId, { limit, offset }) {
      const mine = [...byId.values()].filter(
        (record) => record.callerId === userId || record.calleeId === userId,
      );
      mine.sort((a, b) => {
        const byTime = b.startedAt.getTime() - a.startedAt.getTime();
        if (byTime !== 0) return byTime;
        // Code-point order, as MongoDB sorts strings (JS `<` compares UTF-16 units).
        return compareCallIds(b.id, a.id);
      });
      return mine.slice(offset, offset + limit);
    },
  };
}
