/** @module ObjectId-shaped ids, so every store hands out ids of one shape. */
import { ObjectId } from 'bson';
import type { IdGenerator } from '../../core/index.js';

/** 24-hex ids (MongoDB ObjectIds): unique, and increasing within a process. */
export function createObjectIdGenerator(): IdGenerator {
  return { newId: () => new ObjectId().toHexString() };
}
