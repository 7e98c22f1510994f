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
 *
 * Push registrations live on the session document (`push`, with its address
 * in `pushAddress`, indexed), so ending a session removes its registration
 * in the same delete. `setPush` is two single-document-filter writes: first
 * the address is taken off other sessions, then set here; a crash between
 * leaves the device with no registration, which its next PUT repairs, never
 * two sessions pushed for one device (concurrent PUTs of one address on
 * FerretDB may leave both, which costs a duplicate push the device drops by
 * id). `clearPush` filters on the address, so a registration made since a
 * provider's "gone" is kept.
 */
import type { Db } from 'mongodb';
import {
  type DeviceSession,
  type PushRegistration,
  pushAddressOf,
  type SessionId,
  type SessionRepository,
  type UserId,
} from '../../core/index.js';
import { withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface SessionDoc {
  _id: string;
  userId: string;
  deviceName: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  push?: PushRegistration;
  pushAddress?: string;
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
    async setPush(userId, id, push) {
      if (!plausible(id)) return false;
      if (push === null) {
        const { matchedCount } = await sessions.updateOne(
          { _id: id, userId },
          { $unset: { push: '', pushAddress: '' } },
        );
        return matchedCount === 1;
      }
      const pushAddress = pushAddressOf(push);
      await sessions.updateMany(
        { pushAddress, _id: { $ne: id } },
        { $unset: { push: '', pushAddress: '' } },
      );
      const { matchedCount } = await sessions.updateOne(
        { _id: id, userId },
        { $set: { push: { ...push }, pushAddress } },
      );
      return matchedCount === 1;
    },
    async clearPush(id, push) {
      if (!plausible(id)) return false;
      const { modifiedCount } = await sessions.updateOne(
        { _id: id, pushAddress: pushAddressOf(push) },
        { $unset: { push: '', pushAddress: '' } },
      );
      return modifiedCount === 1;
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
    ...(doc.push && { push: doc.push }),
  };
}
