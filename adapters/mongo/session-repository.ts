/**
 * @module Device sessions in MongoDB (`sessions` collection, `_id` the session
 * id as a plain string, so any id shape works).
 *
 * Crash and concurrency: every method is one single-document write or one
 * query, except `create` (an insert, then a sweep of the user's expired
 * sessions: a crash in between only leaves expired sessions, which listing
 * and authentication ignore anyway) and `deleteAllExcept` (a find, then a
 * delete by those ids: a session created meanwhile survives, as it would had
 * it been created just after). `touch` is an update filtered on the old
 * `lastSeenAt` and never upserts, so it cannot bring back an ended session;
 * FerretDB 1.24 does not make that filter-and-set atomic, so two touches at
 * once may both write, which only costs a write. Two concurrent deletes of
 * one session may both report it deleted on FerretDB; it is then announced
 * twice, which closes nothing twice.
 */
import type { Db } from 'mongodb';
import type { DeviceSession, SessionId, SessionRepository, UserId } from '../../core/index.js';
import { withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface SessionDoc {
  _id: string;
  userId: string;
  deviceName: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

// Longer strings are no id of ours; refused before they reach the server.
const MAX_ID_LENGTH = 64;
const plausible = (id: string) => id.length > 0 && id.length <= MAX_ID_LENGTH;

export function createMongoSessionRepository(db: Db): SessionRepository {
  const sessions = db.collection<SessionDoc>(COLLECTIONS.sessions);

  return withMongoErrors<SessionRepository>({
    async create(session) {
      await sessions.insertOne({
        _id: session.id,
        userId: session.userId,
        deviceName: session.deviceName,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        expiresAt: session.expiresAt,
      });
      await sessions.deleteMany({ userId: session.userId, expiresAt: { $lte: session.createdAt } });
    },
    async findById(id) {
      if (!plausible(id)) return null;
      return fromDoc(await sessions.findOne({ _id: id }));
    },
    async listForUser(userId, now) {
      const docs = await sessions
        .find({ userId, expiresAt: { $gt: now } })
        .sort({ createdAt: -1, _id: -1 })
        .toArray();
      return docs.map((doc) => fromDoc(doc)!);
    },
    async touch(id, at, minIntervalMs) {
      await sessions.updateOne(
        { _id: id, lastSeenAt: { $lte: new Date(at.getTime() - minIntervalMs) } },
        { $set: { lastSeenAt: at } },
      );
    },
    async delete(userId, id) {
      if (!plausible(id)) return false;
      const { deletedCount } = await sessions.deleteOne({ _id: id, userId });
      return deletedCount === 1;
    },
    async deleteAllExcept(userId, keep) {
      const filter = keep === null ? { userId } : { userId, _id: { $ne: keep } };
      const docs = await sessions.find(filter, { projection: { _id: 1 } }).toArray();
      const ids = docs.map((doc) => doc._id);
      if (ids.length > 0) await sessions.deleteMany({ userId, _id: { $in: ids } });
      return ids as SessionId[];
    },
  });
}

function fromDoc(doc: SessionDoc | null): DeviceSession | null {
  if (!doc) return null;
  return {
    id: doc._id as SessionId,
    userId: doc.userId as UserId,
    deviceName: doc.deviceName,
    createdAt: doc.createdAt,
    lastSeenAt: doc.lastSeenAt,
    expiresAt: doc.expiresAt,
  };
}
