/** @module The embedded default store: every repository in memory. */
import type { IdGenerator, Store } from '../../core/index.js';
import { createMemoryBlockRepository } from './block-repository.js';
import { createMemoryCallRepository } from './call-repository.js';
import { createMemoryConversationRepository } from './conversation-repository.js';
import { createMemoryDeliveryRepository } from './delivery-repository.js';
import { createMemoryEventLog } from './event-log.js';
import { createMemoryKeyBundleRepository } from './key-bundle-repository.js';
import { createMemoryMessageRepository } from './message-repository.js';
import { createMemoryReadMarkRepository } from './read-mark-repository.js';
import { createMemorySessionRepository } from './session-repository.js';
import { createMemoryUserRepository } from './user-repository.js';
import { createMemoryVerificationRepository } from './verification-repository.js';

/** Fresh, empty repositories that share nothing with any other store. */
export function createMemoryStore(ids: IdGenerator): Store {
  return {
    users: createMemoryUserRepository(),
    messages: createMemoryMessageRepository(),
    conversations: createMemoryConversationRepository(ids),
    keyBundles: createMemoryKeyBundleRepository(),
    calls: createMemoryCallRepository(),
    sessions: createMemorySessionRepository(),
    verifications: createMemoryVerificationRepository(),
    blocks: createMemoryBlockRepository(),
    readMarks: createMemoryReadMarkRepository(),
    deliveries: createMemoryDeliveryRepository(),
    events: createMemoryEventLog(),
  };
}
