/**
 * @module Blocks in MongoDB (`blocks` collection, one document per ordered
 * pair, `_id` = `<blockerId>:<blockedId>`, both 24-hex user ids).
 *
 * Only the two primitives that are exact on MongoDB and on FerretDB 1.24 are
 * used (no conditional update, which FerretDB applies as read-then-write): an
 * insert by `_id` succeeds for exactly one of concurrent `block`s of a pair
 * (the others read the stored one back), and a `deleteOne` by `_id` reports
 * the removal to exactly one of concurrent `unblock`s. A block is one
 * document written in one step, so a crash leaves the pair blocked or not,
 * never half so. Per-message checks read by `_id` alone, the one filter
 * FerretDB 1.24 answers without scanning the collection.
 */
import type { Db } from 'mongodb';
import type { Block, BlockRepository, UserId } from '../../core/index.js';
import { isDuplicateKeyError, toObjectId, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface BlockDoc {
  _id: string;
  blockerId: string;
  blockedId: string;
  blockedAt: Date;
}

const keyOf = (blockerId: string, blockedId: string) => `${blockerId}:${blockedId}`;
// Ids another adapter would treat as unknown are never blocked.
const wellFormed = (id: string) => toObjectId(id) !== null;

/** The block store on `db`; expects the indexes of `ensureIndexes`. */
export function createMongoBlockRepository(db: Db): BlockRepository {
  const blocks = db.collection<BlockDoc>(COLLECTIONS.blocks);

  return withMongoErrors<BlockRepository>({
    async block(block) {
      const doc: BlockDoc = {
        _id: keyOf(block.blockerId, block.blockedId),
        blockerId: block.blockerId,
        blockedId: block.blockedId,
        blockedAt: block.blockedAt,
      };
      // An unblock may remove the pair between a lost insert and the read: insert again.
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await blocks.insertOne(doc);
          return block;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          const stored = await blocks.findOne({ _id: doc._id });
          if (stored) return fromDoc(stored);
        }
      }
      throw new Error('The block keeps being added and removed concurrently.');
    },
    async unblock(blockerId, blockedId) {
      const { deletedCount } = await blocks.deleteOne({ _id: keyOf(blockerId, blockedId) });
      return deletedCount === 1;
    },
    async find(blockerId, blockedId) {
      if (!wellFormed(blockerId) || !wellFormed(blockedId)) return null;
      const doc = await blocks.findOne({ _id: keyOf(blockerId, blockedId) });
      return doc ? fromDoc(doc) : null;
    },
    async listByBlocker(blockerId) {
      const docs = await blocks.find({ blockerId }).sort({ blockedAt: -1, blockedId: 1 }).toArray();
      return docs.map(fromDoc);
    },
    async findBlocking(blockerIds, blockedId) {
      const keys = [...new Set(blockerIds)].filter(wellFormed).map((id) => keyOf(id, blockedId));
      if (keys.length === 0) return [];
      const docs = await blocks.find({ _id: { $in: keys } }).toArray();
      return docs.map(fromDoc);
    },
    async removeAllOf(userId: UserId) {
      await blocks.deleteMany({ $or: [{ blockerId: userId }, { blockedId: userId }] });
    },
  });
}

function fromDoc(doc: BlockDoc): Block {
  return {
    blockerId: doc.blockerId as UserId,
    blockedId: doc.blockedId as UserId,
    blockedAt: doc.blockedAt,
  };
}
