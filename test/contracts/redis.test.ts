/**
 * @module The port contracts against the Redis adapters (many instances,
 * API.md §8), on the shared test server: each test gets a key prefix of its
 * own, so it starts empty; the file's keys are deleted afterwards.
 */
import { createRedisCallStateStore } from '../../adapters/redis/call-state-store.js';
import { createRedisKeys } from '../../adapters/redis/keys.js';
import { createRedisPresenceStore } from '../../adapters/redis/presence-store.js';
import { createRedisPresenceSubscriptions } from '../../adapters/redis/presence-subscriptions.js';
import { useTestRedis } from '../support/redis.js';
import { describeCallStateStoreContract } from './call-state-store.contract.js';
import { describePresenceStoreContract } from './presence-store.contract.js';
import { describePresenceSubscriptionsContract } from './presence-subscriptions.contract.js';

const redis = useTestRedis();

describeCallStateStoreContract('redis', () =>
  createRedisCallStateStore(redis.client, createRedisKeys(redis.prefix('calls'))),
);
describePresenceStoreContract('redis', () =>
  createRedisPresenceStore(redis.client, createRedisKeys(redis.prefix('presence')), 'instance-1'),
);
describePresenceSubscriptionsContract('redis', (cap) =>
  createRedisPresenceSubscriptions(redis.client, createRedisKeys(redis.prefix('subs')), {
    maxPerConnection: cap,
  }),
);
