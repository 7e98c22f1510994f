/**
 * @module Users in MongoDB (`users` collection, one document per user, `_id`
 * the user's ObjectId).
 *
 * Optional unique username without a partial or sparse index: every document
 * has a `usernameKey`, unique, holding the lowercase username or, for a user
 * without one, `'#' + _id`. Usernames are `[A-Za-z0-9_.]` only, so the two
 * forms never meet, and any number of users may have none. Case-insensitive
 * lookups go through the same field (no collation index needed).
 *
 * Conflicts are settled by the unique indexes alone, so concurrent
 * registrations of one phone or username store exactly one. An E11000 is
 * translated here: MongoDB names one violated index (whichever it checked
 * first), FerretDB 1.24 names none, so the phone is checked first and then the
 * username, which yields PHONE_TAKEN before USERNAME_TAKEN on both servers.
 *
 * `update` is one `findOneAndUpdate` of one document (atomic): a new username
 * moves `usernameKey` in the same write, so the unique index settles a race
 * for a username as it does at registration, and a crash leaves the old or
 * the new state, never a mix. FerretDB 1.24 writes an updated document back
 * whole (read, apply, write by `_id`), so there an update racing a
 * `setLastSeen` of the same user can undo the other's fields: an update reads
 * its fields back and writes them again when an earlier write-back undid
 * them, which narrows that window without closing it (a write-back landing
 * after the read-back still wins). MongoDB applies `$set` per field, where
 * the two never interfere. Documents written before the privacy settings
 * existed lack them; they read as `true` (the defaults).
 *
 * Deletion (account deletion), two single-document writes: (1) insert the
 * pending record `{ _id: user, deletedAt }` into `user_deletions` (a
 * duplicate is fine: recorded already); (2) `deleteOne` the user by `_id`,
 * atomic, from which on no read finds the user and the unique indexes no
 * longer hold its phone number or username (a re-registration gets a new
 * id). A crash before (1) leaves the account as it was; between (1) and (2),
 * too (the 204 was never sent), until the start-up sweep reads the pending
 * record and finishes the deletion the user asked for; after (2), the user
 * is gone and the sweep finishes the clean-up of the other stores (core
 * `finishAccountDeletion`, idempotent) before `finishDeletion` removes the
 * record. FerretDB applies an update as read-then-write-by-`_id`; the write
 * of an update that read the user before (2) matches no document after it,
 * so it cannot bring the user back, and `finishDeletion` deletes by `_id`
 * once more before it drops the record anyway. The sweep reads
 * `user_deletions`, which holds only deletions in progress.
 */
import type { Db, ObjectId } from 'mongodb';
import { DomainError, type User, type UserId, type UserRepository } from '../../core/index.js';
import {
  duplicateKeyIndex,
  isDuplicateKeyError,
  requireObjectId,
  toObjectId,
  withMongoErrors,
} from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface DeletionDoc {
  _id: ObjectId;
  deletedAt: Date;
}

interface UserDoc {
  _id: ObjectId;
  phoneNumber: string;
  username: string | null;
  usernameKey: string;
  displayName: string;
  passwordHash: string;
  createdAt: Date;
  lastSeen: Date | null;
  readReceipts?: boolean;
  typingIndicators?: boolean;
}

/** The user store on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoUserRepository(db: Db): UserRepository {
  const users = db.collection<UserDoc>(COLLECTIONS.users);
  const deletions = db.collection<DeletionDoc>(COLLECTIONS.userDeletions);

  const phoneTaken = () =>
    new DomainError('PHONE_TAKEN', 'This phone number is already registered.');
  const usernameTaken = () => new DomainError('USERNAME_TAKEN', 'This username is taken.');

  return withMongoErrors<UserRepository>({
    async create(user) {
      const _id = requireObjectId(user.id, 'User id');
      const doc: UserDoc = {
        _id,
        phoneNumber: user.phoneNumber,
        username: user.username,
        usernameKey: user.username === null ? `#${user.id}` : user.username.toLowerCase(),
        displayName: user.displayName,
        passwordHash: user.passwordHash,
        createdAt: user.createdAt,
        lastSeen: user.lastSeen,
        readReceipts: user.readReceipts,
        typingIndicators: user.typingIndicators,
      };
      try {
        await users.insertOne(doc);
        return user;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        if (duplicateKeyIndex(error)?.includes('phone')) throw phoneTaken();
        if (await users.findOne({ phoneNumber: doc.phoneNumber }, { projection: { _id: 1 } })) {
          throw phoneTaken();
        }
        if (
          user.username !== null &&
          (await users.findOne({ usernameKey: doc.usernameKey }, { projection: { _id: 1 } }))
        ) {
          throw usernameTaken();
        }
        throw error;
      }
    },
    async findById(id) {
      const _id = toObjectId(id);
      if (!_id) return null;
      return fromDoc(await users.findOne({ _id }));
    },
    async findByIds(ids) {
      const oids = [...new Set(ids)].flatMap((id) => toObjectId(id) ?? []);
      if (oids.length === 0) return [];
      const docs = await users.find({ _id: { $in: oids } }).toArray();
      return docs.map((doc) => fromDoc(doc)!);
    },
    async findByPhoneNumber(phoneNumber) {
      return fromDoc(await users.findOne({ phoneNumber }));
    },
    async findByPhoneNumbers(phoneNumbers) {
      const unique = [...new Set(phoneNumbers)];
      if (unique.length === 0) return [];
      const docs = await users.find({ phoneNumber: { $in: unique } }).toArray();
      return docs.map((doc) => fromDoc(doc)!);
    },
    async findByUsername(username) {
      // '#' never occurs in a username; it marks the stand-in key of users without one.
      if (username.includes('#')) return null;
      return fromDoc(await users.findOne({ usernameKey: username.toLowerCase() }));
    },
    async setPasswordHash(id, passwordHash) {
      const _id = toObjectId(id);
      if (!_id) return false;
      const { matchedCount } = await users.updateOne({ _id }, { $set: { passwordHash } });
      return matchedCount === 1;
    },
    async setLastSeen(id, at) {
      const _id = toObjectId(id);
      if (!_id) return;
      await users.updateOne({ _id }, { $set: { lastSeen: at } });
    },
    async update(id, changes) {
      const _id = toObjectId(id);
      if (!_id) return null;
      const set: Partial<UserDoc> = {};
      if (changes.displayName !== undefined) set.displayName = changes.displayName;
      if (changes.username !== undefined) {
        set.username = changes.username;
        set.usernameKey = changes.username === null ? `#${id}` : changes.username.toLowerCase();
      }
      if (changes.readReceipts !== undefined) set.readReceipts = changes.readReceipts;
      if (changes.typingIndicators !== undefined) set.typingIndicators = changes.typingIndicators;
      try {
        if (Object.keys(set).length === 0) return fromDoc(await users.findOne({ _id }));
        // FerretDB 1.24 applies an update as read, then write the whole
        // document back, so a concurrent `setLastSeen` can write back the old
        // values of these fields. Reading back and writing again settles it.
        for (let attempt = 0; ; attempt++) {
          const doc = await users.findOneAndUpdate(
            { _id },
            { $set: set },
            { returnDocument: 'after' },
          );
          if (doc === null) return null;
          const after = await users.findOne({ _id });
          if (after === null) return null;
          if (attempt >= 2 || holds(after, set)) return fromDoc(after);
        }
      } catch (error) {
        // The only unique field an update can move is usernameKey.
        if (isDuplicateKeyError(error)) throw usernameTaken();
        throw error;
      }
    },
    async delete(id, at) {
      const _id = toObjectId(id);
      if (!_id) return false;
      try {
        await deletions.insertOne({ _id, deletedAt: at });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      const { deletedCount } = await users.deleteOne({ _id });
      return deletedCount === 1;
    },
    async pendingDeletions(limit) {
      const docs = await deletions.find({}).sort({ deletedAt: 1 }).limit(limit).toArray();
      return docs.map((doc) => doc._id.toHexString() as UserId);
    },
    async finishDeletion(id) {
      const _id = toObjectId(id);
      if (!_id) return;
      await users.deleteOne({ _id });
      await deletions.deleteOne({ _id });
    },
  });
}

function holds(doc: UserDoc, set: Partial<UserDoc>): boolean {
  return Object.entries(set).every(([field, value]) => doc[field as keyof UserDoc] === value);
}

function fromDoc(doc: UserDoc | null): User | null {
  if (!doc) return null;
  return {
    id: doc._id.toHexString() as UserId,
    phoneNumber: doc.phoneNumber,
    username: doc.username,
    displayName: doc.displayName,
    passwordHash: doc.passwordHash,
    createdAt: doc.createdAt,
    lastSeen: doc.lastSeen,
    readReceipts: doc.readReceipts ?? true,
    typingIndicators: doc.typingIndicators ?? true,
  };
}
