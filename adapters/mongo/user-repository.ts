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

interface UserDoc {
  _id: ObjectId;
  phoneNumber: string;
  username: string | null;
  usernameKey: string;
  displayName: string;
  passwordHash: string;
  createdAt: Date;
  lastSeen: Date | null;
}

/** The user store on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoUserRepository(db: Db): UserRepository {
  const users = db.collection<UserDoc>(COLLECTIONS.users);

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
    async setLastSeen(id, at) {
      const _id = toObjectId(id);
      if (!_id) return;
      await users.updateOne({ _id }, { $set: { lastSeen: at } });
    },
  });
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
  };
}
