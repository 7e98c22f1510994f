/** @module The production store: every repository on one MongoDB database. */
import type { Db } from 'mongodb';
import { ServiceUnavailableError, type Store } from '../../core/index.js';
import { createMongoBlockRepository } from './block-repository.js';
import { createMongoCallRepository } from './call-repository.js';
import { isUnavailableError } from './connect.js';
import { createMongoConversationRepository } from './conversation-repository.js';
import { createMongoDeliveryRepository } from './delivery-repository.js';
import { createMongoEventLog } from './event-log.js';
import { ensureIndexes } from './indexes.js';
import { createMongoKeyBundleRepository } from './key-bundle-repository.js';
import { createMongoMessageRepository } from './message-repository.js';
import { createMongoReadMarkRepository } from './read-mark-repository.js';
import { createMongoSessionRepository } from './session-repository.js';
import { createMongoUserRepository } from './user-repository.js';
import { createMongoVerificationRepository } from './verification-repository.js';

/** Every repository of `Store`; kept as a name for existing imports. */
export type MongoStore = Store;

/**
 * Repositories on `db`, after creating every index (idempotent; the unique
 * ones carry the repositories' guarantees, so nothing is served before they
 * exist). Throws `ServiceUnavailableError` when the database cannot be
 * reached, and the driver's error when an index conflicts.
 */
export async function createMongoStore(db: Db): Promise<Store> {
  try {
    await ensureIndexes(db);
  } catch (error) {
    if (!isUnavailableError(error)) throw error;
    throw new ServiceUnavailableError('MongoDB cannot be reached to create the indexes.');
  }
  return {
    users: createMongoUserRepository(db),
    messages: createMongoMessageRepository(db),
    conversations: createMongoConversationRepository(db),
    keyBundles: createMongoKeyBundleRepository(db),
    calls: createMongoCallRepository(db),
    sessions: createMongoSessionRepository(db),
    verifications: createMongoVerificationRepository(db),
    blocks: createMongoBlockRepository(db),
    readMarks: createMongoReadMarkRepository(db),
    deliveries: createMongoDeliveryRepository(db),
    events: createMongoEventLog(db),
  };
}
