/** @module Every port contract against the in-memory adapters. */
import { createMemoryBlockRepository } from '../../adapters/memory/block-repository.js';
import { createMemoryCallRepository } from '../../adapters/memory/call-repository.js';
import { createMemoryCallStateStore } from '../../adapters/memory/call-state-store.js';
import { createMemoryConversationRepository } from '../../adapters/memory/conversation-repository.js';
import { createMemoryDeliveryRepository } from '../../adapters/memory/delivery-repository.js';
import { createMemoryEventLog } from '../../adapters/memory/event-log.js';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMemoryKeyBundleRepository } from '../../adapters/memory/key-bundle-repository.js';
import { createMemoryMessageRepository } from '../../adapters/memory/message-repository.js';
import { createMemoryPresenceStore } from '../../adapters/memory/presence-store.js';
import { createMemoryPresenceSubscriptions } from '../../adapters/memory/presence-subscriptions.js';
import { createMemoryReadMarkRepository } from '../../adapters/memory/read-mark-repository.js';
import { createMemorySessionRepository } from '../../adapters/memory/session-repository.js';
import { createMemoryUserRepository } from '../../adapters/memory/user-repository.js';
import { createMemoryVerificationRepository } from '../../adapters/memory/verification-repository.js';
import { createMemoryNotifier } from '../../adapters/wire/local-notifier.js';
import { describeBlockRepositoryContract } from './block-repository.contract.js';
import { describeCallRepositoryContract } from './call-repository.contract.js';
import { describeCallStateStoreContract } from './call-state-store.contract.js';
import { describeConversationRepositoryContract } from './conversation-repository.contract.js';
import { describeDeliveryRepositoryContract } from './delivery-repository.contract.js';
import { describeEventLogContract } from './event-log.contract.js';
import { describeKeyBundleRepositoryContract } from './key-bundle-repository.contract.js';
import { describeMessageRepositoryContract } from './message-repository.contract.js';
import { describeNotifierContract } from './notifier.contract.js';
import { describePresenceStoreContract } from './presence-store.contract.js';
import { describePresenceSubscriptionsContract } from './presence-subscriptions.contract.js';
import { describeReadMarkRepositoryContract } from './read-mark-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeUserRepositoryContract } from './user-repository.contract.js';
import { describeVerificationRepositoryContract } from './verification-repository.contract.js';

describeUserRepositoryContract('memory', () => createMemoryUserRepository());
describeMessageRepositoryContract('memory', () => createMemoryMessageRepository());
describeConversationRepositoryContract('memory', () =>
  createMemoryConversationRepository(createObjectIdGenerator()),
);
describeKeyBundleRepositoryContract('memory', () => createMemoryKeyBundleRepository());
describeBlockRepositoryContract('memory', () => createMemoryBlockRepository());
describeCallRepositoryContract('memory', () => createMemoryCallRepository());
describeCallStateStoreContract('memory', () => createMemoryCallStateStore());
describePresenceStoreContract('memory', () => createMemoryPresenceStore());
describePresenceSubscriptionsContract('memory', (cap) =>
  createMemoryPresenceSubscriptions({ maxPerConnection: cap }),
);
describeSessionRepositoryContract('memory', () => createMemorySessionRepository());
describeVerificationRepositoryContract('memory', () => createMemoryVerificationRepository());
describeEventLogContract('memory', () => [createMemoryEventLog()]);
describeReadMarkRepositoryContract('memory', () => createMemoryReadMarkRepository());
describeDeliveryRepositoryContract('memory', () => createMemoryDeliveryRepository());
describeNotifierContract('memory', async () => ({
  nodes: [{ notifier: createMemoryNotifier() }],
  close: async () => {},
}));
