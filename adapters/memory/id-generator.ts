/**
 * @module New ids for everything a client can name (users, messages, calls,
 * conversations, key generations, sessions): 24 hex digits, the shape of a
 * MongoDB ObjectId (so every store keeps them as ObjectIds, and ids stored
 * before keep working), but all 96 bits drawn from the CSPRNG. An ObjectId's
 * timestamp and counter made each id a guess away from its neighbours
 * (SECURITY.md: ids are unguessable).
 */
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '../../core/index.js';

const ID_BYTES = 12;
/** Ids drawn per refill: one system call serves many ids. */
const POOL_IDS = 256;

/** 24-hex ids of 96 random bits each; they carry no order and no time. */
export function createObjectIdGenerator(): IdGenerator {
  const pool = Buffer.alloc(ID_BYTES * POOL_IDS);
  let offset = pool.length;
  return {
    newId() {
      if (offset === pool.length) {
        randomFillSync(pool);
        offset = 0;
      }
      const id = pool.toString('hex', offset, offset + ID_BYTES);
      // Each byte serves once: nothing drawn is ever handed out twice.
      offset += ID_BYTES;
      return id;
    },
  };
}
