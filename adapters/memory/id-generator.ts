/**
 * @module New ids for everything a client can name (users, messages, calls,
 * conversations, key generations, sessions): 24 hex digits, the shape of a
 * MongoDB ObjectId (so every store keeps them as ObjectIds, and ids stored
 * before keep working), but all 96 bits drawn from the CSPRNG. An ObjectId's
 * timestamp and counter made each id a guess away from its neighbours
 * (SECURITY.md: ids are unguessable).
 */
import type { IdGenerator } from '../../core/index.js';

const ID_BYTES = 12;
/** Ids drawn per refill: one system call serves many ids. */
const POOL_IDS = 256;

/** Two hex digits per byte value, so an id is 12 lookups, not a Buffer (Node-only). */
const HEX_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * 24-hex ids of 96 random bits each; they carry no order and no time. Web
 * Crypto's `getRandomValues`, not `node:crypto`: the memory adapters serve
 * the embedded core in Bun, Deno and browsers too.
 */
export function createObjectIdGenerator(): IdGenerator {
  const pool = new Uint8Array(ID_BYTES * POOL_IDS);
  let offset = pool.length;
  return {
    newId() {
      if (offset === pool.length) {
        globalThis.crypto.getRandomValues(pool);
        offset = 0;
      }
      let id = '';
      for (let i = offset; i < offset + ID_BYTES; i++) id += HEX_BYTE[pool[i]!];
      // Each byte serves once: nothing drawn is ever handed out twice.
      offset += ID_BYTES;
      return id;
    },
  };
}
