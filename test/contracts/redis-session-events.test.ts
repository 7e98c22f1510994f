/**
 * @module The ended-sessions channel's "listening" signal, on a private
 * `redis-server`: true from the SUBSCRIBE's confirmation, false as soon as
 * the subscriber's connection is killed or Redis stops, true again once the
 * channel is subscribed anew. The session cache trusts it to know that no
 * announcement was missed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection, type RedisConnection } from '../../adapters/redis/connect.js';
import { createRedisKeys } from '../../adapters/redis/keys.js';
import {
  createRedisSessionEvents,
  type RedisSessionEvents,
} from '../../adapters/redis/session-events.js';
import type { EndedSession, SessionId, UserId } from '../../core/index.js';
import { type OwnRedisServer, startRedisServer } from '../support/redis.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const keys = createRedisKeys('session-events:');

interface Instance {
  readonly connection: RedisConnection;
  readonly events: RedisSessionEvents;
  /** Resolves with the next value `isListening` changes to. */
  nextListening(): Promise<boolean>;
  /** Resolves with the next announcement heard. */
  nextHeard(): Promise<readonly EndedSession[]>;
}

function instanceOn(url: string, instanceId: string): Instance {
  const connection = createRedisConnection(url, { logger: quiet, name: instanceId });
  const events = createRedisSessionEvents({ connection, keys, instanceId, logger: quiet });
  return {
    connection,
    events,
    nextHeard: () =>
      new Promise((resolve) => {
        const stop = events.onEnded((sessions) => {
          stop();
          resolve(sessions);
        });
      }),
    nextListening: () =>
      new Promise((resolve) => {
        const stop = events.onListeningChange((listening) => {
          stop();
          resolve(listening);
        });
      }),
  };
}

async function started(instance: Instance): Promise<void> {
  await new Promise<void>((resolve) => {
    if (instance.connection.subscriber.status === 'ready') resolve();
    else instance.connection.subscriber.once('ready', () => resolve());
  });
  await instance.events.start();
}

const ended = (n: number): EndedSession[] => [
  { userId: 'u' as UserId, sessionId: `s${n}` as SessionId },
];

describe('the ended-sessions channel on Redis (private redis-server)', () => {
  let server: OwnRedisServer;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    server = await startRedisServer();
    a = instanceOn(server.url, 'A');
    b = instanceOn(server.url, 'B');
    await Promise.all([started(a), started(b)]);
  });
  afterAll(async () => {
    for (const instance of [a, b]) {
      instance?.events.close();
      await instance?.connection.close();
    }
    await server?.stop();
  });

  it('listens once Redis confirmed the subscription, and hears the other instance', async () => {
    expect(b.events.isListening()).toBe(true);
    const heard = b.nextHeard();
    await a.events.ended(ended(1));
    expect(await heard).toEqual(ended(1));
  });

  it('stops listening when its subscriber connection is killed, and listens again once resubscribed', async () => {
    const stopped = b.nextListening();
    const admin = new Redis(server.url);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    expect(await stopped).toBe(false);
    expect(b.events.isListening()).toBe(false);
    expect(await b.nextListening()).toBe(true);
    const heard = b.nextHeard();
    await a.events.ended(ended(2));
    expect(await heard).toEqual(ended(2));
  }, 30_000);

  it('does not listen while Redis is away', async () => {
    const stopped = b.nextListening();
    await server.stop();
    expect(await stopped).toBe(false);
    const resumed = b.nextListening();
    await server.start();
    expect(await resumed).toBe(true);
    expect(b.events.isListening()).toBe(true);
  }, 30_000);
});
