/**
 * @module The port contracts against the Redis adapters (many instances,
 * API.md §8), on the shared test server: each test gets a key prefix of its
 * own, so it starts empty; the file's keys are deleted afterwards. The
 * notifier runs as two instances, each with its own pair of connections.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedisCallStateStore } from '../../adapters/redis/call-state-store.js';
import { createRedisConnection } from '../../adapters/redis/connect.js';
import { createRedisKeys } from '../../adapters/redis/keys.js';
import { createRedisNotifier } from '../../adapters/redis/notifier.js';
import { createRedisPresenceStore } from '../../adapters/redis/presence-store.js';
import { createRedisPresenceSubscriptions } from '../../adapters/redis/presence-subscriptions.js';
import { useTestRedis } from '../support/redis.js';
import { describeCallStateStoreContract } from './call-state-store.contract.js';
import { describeNotifierContract } from './notifier.contract.js';
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
describeNotifierContract('redis, two instances', async () => {
  const keys = createRedisKeys(redis.prefix('notifier'));
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const instances = ['A', 'B'].map((instanceId) => {
    const connection = createRedisConnection(redis.url, {
      logger: quiet,
      name: `test:notifier:${instanceId}`,
    });
    const notifier = createRedisNotifier({ connection, keys, instanceId, logger: quiet });
    return { connection, notifier };
  });
  const deadline = Date.now() + 5000;
  while (!instances.every(({ connection }) => connection.isUp())) {
    if (Date.now() > deadline) throw new Error('Redis did not connect within 5 s');
    await sleep(10);
  }
  return {
    nodes: instances,
    async close() {
      for (const { notifier, connection } of instances) {
        notifier.close();
        await connection.close();
      }
    },
  };
});
