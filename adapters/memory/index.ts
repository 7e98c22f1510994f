/**
 * @module The in-memory adapters' public surface (`my-calls-backend/memory`):
 * every repository and store of the core's ports, in this process, for
 * embedding the core and for tests.
 */

export {
  createMemoryNotifier,
  type MemoryNotifier,
  type PushListener,
} from '../wire/local-notifier.js';
export type { Push } from '../wire/push.js';
export { createMemoryCallRepository } from './call-repository.js';
export { createMemoryCallStateStore } from './call-state-store.js';
export { createFixedClock, createSystemClock } from './clock.js';
export { createMemoryConversationRepository } from './conversation-repository.js';
export { createMemoryDeps, type MemoryDepsOptions } from './create-memory-deps.js';
export { createMemoryStore } from './create-memory-store.js';
export { createObjectIdGenerator } from './id-generator.js';
export { createMemoryKeyBundleRepository } from './key-bundle-repository.js';
export { createMemoryMessageRepository } from './message-repository.js';
export { createMemoryPresenceStore } from './presence-store.js';
export {
  createMemoryPresenceSubscriptions,
  type MemoryPresenceSubscriptionsOptions,
} from './presence-subscriptions.js';
export {
  createTimerScheduler,
  type TimerScheduler,
  type TimerSchedulerOptions,
} from './scheduler.js';
export { createMemorySessionRepository } from './session-repository.js';
export { createMemoryUserRepository } from './user-repository.js';
export { createMemoryVerificationRepository } from './verification-repository.js';
