/**
 * @module The Redis backplane's own guarantees, on real Redis: the clustered
 * notifier between two "instances" (two connections and notifiers in this
 * process), its recovery after Redis restarts or drops its subscriber (on a
 * private `redis-server`), and the sweeper's claims: a due ring timeout and
 * a dead instance's connections are each handled by exactly one of the
 * instances sweeping at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCallStateStore } from '../../adapters/redis/call-state-store.js';
import {
  type ClusterSweeper,
  createClusterSweeper,
  type OrphanConnection,
} from '../../adapters/redis/cluster-sweeper.js';
import { createRedisConnection, type RedisConnection } from '../../adapters/redis/connect.js';
import { openRedisBackplane } from '../../adapters/redis/create-redis-backplane.js';
import { createRedisKeys, type RedisKeys } from '../../adapters/redis/keys.js';
import { createRedisLockedQueue } from '../../adapters/redis/locked-queue.js';
import { type ClusterNotifier, createRedisNotifier } from '../../adapters/redis/notifier.js';
import { createRedisPresenceStore } from '../../adapters/redis/presence-store.js';
import { notificationFrame } from '../../adapters/wire/push.js';
import {
  type CallId,
  type Notification,
  ServiceUnavailableError,
  type UserId,
} from '../../core/index.js';
import {
  deleteKeys,
  type OwnRedisServer,
  startRedisServer,
  useTestRedis,
} from '../support/redis.js';

const redis = useTestRedis();
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** Polls `check` every 20 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await sleep(20);
  }
}

const message = (n: number): Notification => ({
  type: 'new-message',
  seq: n,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
  message: {
    id: `m${n}` as never,
    conversationId: 'c' as never,
    senderId: 'sender' as UserId,
    receiverId: 'u' as UserId,
    content: `hello ${n}`,
    messageType: 'text',
    clientMessageId: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
  },
});

/** A notification's frame, as a connection receives it. */
const frame = (n: Notification): string => JSON.stringify(notificationFrame(n));

interface Instance {
  readonly connection: RedisConnection;
  readonly notifier: ClusterNotifier;
  /** Connects a listener for (user, connection); returns its inbox of frames. */
  connect(userId: string, connectionId: string): Promise<string[]>;
  close(): Promise<void>;
}

function instanceOn(
  url: string,
  keys: RedisKeys,
  id: string,
  options: { maxPendingPublishes?: number } = {},
): Instance {
  const connection = createRedisConnection(url, { logger: quiet, name: `test:${id}` });
  const notifier = createRedisNotifier({
    connection,
    keys,
    instanceId: id,
    logger: quiet,
    ...options,
  });
  const offs: (() => void)[] = [];
  return {
    connection,
    notifier,
    async connect(userId, connectionId) {
      const inbox: string[] = [];
      const release = await notifier.listen(userId as UserId);
      // Logged events also pass an excepted connection by (`passedBy`); that is no delivery.
      offs.push(
        notifier.subscribe(userId as UserId, connectionId, (push, passedBy) => {
          if (!passedBy) inbox.push(push.text);
        }),
      );
      release();
      return inbox;
    },
    async close() {
      for (const off of offs) off();
      notifier.close();
      await connection.close();
    },
  };
}

async function ready(...instances: Instance[]) {
  await eventually(() => instances.every((i) => i.connection.isUp()));
}

describe('the clustered notifier', () => {
  let keys: RedisKeys;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    keys = createRedisKeys(redis.prefix('notifier'));
    a = instanceOn(redis.url, keys, 'A');
    b = instanceOn(redis.url, keys, 'B');
    await ready(a, b);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('delivers to every connection of the user on every instance, each once, dates intact', async () => {
    const onA = await a.connect('u1', 'a1');
    const onB1 = await b.connect('u1', 'b1');
    const onB2 = await b.connect('u1', 'b2');
    await a.notifier.notify('u1' as UserId, message(1));
    await eventually(() => onB1.length === 1 && onB2.length === 1);
    await sleep(100);
    expect(onA).toEqual([frame(message(1))]);
    expect(onB1).toEqual([frame(message(1))]);
    expect(onB2).toEqual([frame(message(1))]);
    expect(JSON.parse(onB1[0]!).payload.createdAt).toBe('2026-01-01T00:00:01.000Z');
  });

  it('leaves out the excepted connection, wherever it is', async () => {
    const onA = await a.connect('u2', 'a1');
    const onB = await b.connect('u2', 'b1');
    await b.notifier.notify('u2' as UserId, message(2), { exceptConnectionId: 'a1' });
    await a.notifier.notify('u2' as UserId, message(3), { exceptConnectionId: 'b1' });
    await eventually(() => onA.length === 1 && onB.length === 1);
    await sleep(100);
    expect(onA).toEqual([frame(message(3))]);
    expect(onB).toEqual([frame(message(2))]);
  });

  it('reaches one connection on another instance and no other', async () => {
    const onA = await a.connect('u3', 'a1');
    const onB1 = await b.connect('u3', 'b1');
    const onB2 = await b.connect('u3', 'b2');
    const update: Notification = {
      type: 'presence-update',
      userId: 'x' as UserId,
      status: 'offline',
      lastSeen: new Date(Date.UTC(2026, 1, 2)),
    };
    await a.notifier.notifyConnection('u3' as UserId, 'b2', update);
    await eventually(() => onB2.length === 1);
    await sleep(100);
    expect(onB2).toEqual([frame(update)]);
    expect(onB1).toEqual([]);
    expect(onA).toEqual([]);
  });

  it('keeps the order of one instance’s pushes to a user', async () => {
    const onB = await b.connect('u4', 'b1');
    const call = (seq: number): Notification => ({
      type: 'ice-candidate',
      payload: { callId: 'c' as CallId, from: 'x' as UserId, seq },
    });
    for (let seq = 0; seq < 300; seq++)
      await a.notifier.notifyConnection('u4' as UserId, 'b1', call(seq));
    await eventually(() => onB.length === 300);
    expect(onB.map((text) => JSON.parse(text).payload.seq)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
  });

  it('listens on a user’s channel only while it holds a connection of theirs', async () => {
    const channel = keys.userChannel('u5' as UserId);
    const numsub = async () => {
      const reply = (await redis.client.pubsub('NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    };
    const release = await b.notifier.listen('u5' as UserId);
    expect(await numsub()).toBe(1);
    const off = b.notifier.subscribe('u5' as UserId, 'b1', () => {});
    release();
    off();
    await eventually(async () => (await numsub()) === 0);
  });
});

describe('the clustered notifier when Redis goes away (private redis-server)', () => {
  let server: OwnRedisServer;
  let a: Instance;
  let b: Instance;
  const keys = createRedisKeys('outage:');

  beforeAll(async () => {
    server = await startRedisServer();
    a = instanceOn(server.url, keys, 'A');
    b = instanceOn(server.url, keys, 'B');
    await ready(a, b);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  /** Publishes from A until B's inbox grows (a push made before B resubscribed is lost). */
  async function deliveredAgain(inbox: string[], first: number) {
    let n = first;
    const before = inbox.length;
    await eventually(async () => {
      await a.notifier.notify('v' as UserId, message(n++));
      await sleep(50);
      return inbox.length > before;
    }, 10_000);
  }

  it('delivers locally during the outage, fails store calls fast, and resumes afterwards', async () => {
    const onA = await a.connect('v', 'a1');
    const onB = await b.connect('v', 'b1');
    await a.notifier.notify('v' as UserId, message(1));
    await eventually(() => onB.length === 1);

    await server.stop();
    await eventually(() => !a.connection.isUp() && !b.connection.isUp());
    await a.notifier.notify('v' as UserId, message(2));
    expect(onA.at(-1)).toEqual(frame(message(2)));
    const presence = createRedisPresenceStore(a.connection.client, keys, 'A');
    const started = Date.now();
    await expect(presence.statusOf(['v' as UserId])).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await a.connection.ping()).toBe(false);
    expect(a.notifier.stats().dropped).toBeGreaterThan(0);

    await server.start();
    await ready(a, b);
    await deliveredAgain(onB, 3);
    expect(await a.connection.ping()).toBe(true);
  }, 30_000);

  it('resubscribes after Redis drops its pub/sub clients (output buffer overflow)', async () => {
    const onB = await b.connect('v', 'b2');
    const admin = new Redis(server.url);
    try {
      const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      expect(Number(killed)).toBeGreaterThanOrEqual(1);
    } finally {
      admin.disconnect();
    }
    await deliveredAgain(onB, 100);
  }, 30_000);

  it('survives a real output buffer overflow of a subscriber that stopped reading', async () => {
    const onB = await b.connect('v', 'b3');
    const admin = new Redis(server.url);
    try {
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 128kb 1');
      // B's process stops reading its subscriber socket, as a stalled instance would.
      b.connection.subscriber.stream.pause();
      const big = 'x'.repeat(64 * 1024);
      const subscriberGone = async () => {
        const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
        return !clients.includes('name=test:B:sub');
      };
      // Until the kernel's socket buffers are full and Redis' own buffer passes its limit.
      for (let i = 0; i < 2048 && !(await subscriberGone()); i++) {
        for (let j = 0; j < 16; j++) {
          // A relayed call frame's fields go on as they came: a large one is a large push.
          await a.notifier.notify('v' as UserId, {
            type: 'ice-candidate',
            payload: { callId: 'c' as CallId, from: 'x' as UserId, candidate: big, i, j },
          });
        }
      }
      expect(await subscriberGone()).toBe(true);
      b.connection.subscriber.stream.resume();
      await deliveredAgain(onB, 200);
    } finally {
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
      admin.disconnect();
    }
  }, 30_000);
});

describe('the cluster-wide call queue', () => {
  it('runs the tasks of one call on two instances one at a time, and others alongside', async () => {
    const keys = createRedisKeys(redis.prefix('queue'));
    const [one, two] = ['A', 'B'].map((instanceId) =>
      createRedisLockedQueue({
        redis: redis.client,
        instanceId,
        lockKey: keys.callLock,
        subject: 'a call',
      }),
    );
    let running = 0;
    let overlapped = false;
    const log: string[] = [];
    const task = (name: string) => async () => {
      running += 1;
      if (running > 1) overlapped = true;
      await sleep(5);
      log.push(name);
      running -= 1;
    };
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one! : two!).run('call-1', task(`t${i}`))),
    );
    expect(overlapped).toBe(false);
    expect(log).toHaveLength(10);
    // One instance's own tasks keep their order.
    expect(log.filter((name) => Number(name.slice(1)) % 2 === 1)).toEqual([
      't1',
      't3',
      't5',
      't7',
      't9',
    ]);
    // Another call is not held up by the first.
    const other = await Promise.all([
      one!.run('call-2', async () => 'free'),
      two!.run('call-3', async () => 'free'),
    ]);
    expect(other).toEqual(['free', 'free']);
    expect(await redis.client.exists(keys.callLock('call-1'))).toBe(0);
  });

  it("orders one user's presence steps across instances of the backplane, by user", async () => {
    const keyPrefix = redis.prefix('presence-queue');
    const [a, b] = await Promise.all(
      ['A', 'B'].map((instanceId) => openRedisBackplane({ url: redis.url, keyPrefix, instanceId })),
    );
    try {
      const steps: string[] = [];
      // A's step holds the user: B's step for that user waits for it, another user's does not.
      let releaseA!: () => void;
      const heldA = new Promise<void>((resolve) => {
        releaseA = resolve;
      });
      const onA = a!.presenceQueue.run('user-1', async () => {
        steps.push('A starts');
        await heldA;
        steps.push('A ends');
      });
      await sleep(20);
      const onB = b!.presenceQueue.run('user-1', async () => {
        steps.push('B runs');
      });
      await b!.presenceQueue.run('user-2', async () => {
        steps.push('other user on B');
      });
      await sleep(50);
      releaseA();
      await Promise.all([onA, onB]);
      expect(steps).toEqual(['A starts', 'other user on B', 'A ends', 'B runs']);
      expect(await redis.client.exists(createRedisKeys(keyPrefix).presenceLock('user-1'))).toBe(0);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  it('goes on once the lock of a holder that died has expired', async () => {
    const keys = createRedisKeys(redis.prefix('queue'));
    await redis.client.set(keys.callLock('stuck'), 'dead-instance:1', 'PX', 200);
    const queue = createRedisLockedQueue({
      redis: redis.client,
      instanceId: 'A',
      lockKey: keys.callLock,
      subject: 'a call',
    });
    // A read-only task (a relay) needs no lock, so nothing holds it up.
    const relayed = Date.now();
    expect(await queue.run('stuck', async () => 'relayed', { localOnly: true })).toBe('relayed');
    expect(Date.now() - relayed).toBeLessThan(100);
    const started = Date.now();
    expect(await queue.run('stuck', async () => 'ran')).toBe('ran');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe('publication backpressure', () => {
  it('drops pushes to other instances beyond the publications waiting, never queueing them', async () => {
    const keys = createRedisKeys(redis.prefix('burst'));
    const a = instanceOn(redis.url, keys, 'A', { maxPendingPublishes: 5 });
    await ready(a);
    try {
      const inbox = await a.connect('w', 'a1');
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => a.notifier.notify('w' as UserId, message(i))),
      );
      // Local delivery is never dropped.
      expect(inbox).toHaveLength(100);
      await eventually(() => a.notifier.stats().published === 5);
      expect(a.notifier.stats().dropped).toBe(95);
    } finally {
      await a.close();
    }
  });
});

describe('the cluster sweeper', () => {
  let keys: RedisKeys;
  const sweepers: ClusterSweeper[] = [];

  beforeAll(() => {
    keys = createRedisKeys(redis.prefix('sweeper'));
  });
  afterEach(async () => {
    await Promise.all(sweepers.splice(0).map((s) => s.stop()));
  });

  function sweeper(
    instanceId: string,
    overrides: Partial<Parameters<typeof createClusterSweeper>[0]> = {},
  ) {
    const created = createClusterSweeper({
      redis: redis.client,
      keys,
      instanceId,
      heartbeatMs: 60_000,
      instanceTtlMs: 120_000,
      sweepIntervalMs: 60_000,
      onRingDue: async () => {},
      onOrphan: async () => {},
      logger: quiet,
      ...overrides,
    });
    sweepers.push(created);
    return created;
  }

  it('claims a due ring timeout for exactly one of the instances sweeping at once', async () => {
    const calls = createRedisCallStateStore(redis.client, keys);
    const now = Date.now();
    const due = (callId: string, callerId: string, calleeId: string, deadline: number) =>
      calls.tryStart({
        callId: callId as CallId,
        callerId: callerId as UserId,
        calleeId: calleeId as UserId,
        media: 'audio',
        state: 'ringing',
        callerConnectionId: 'c1',
        calleeConnectionId: null,
        startedAt: new Date(now - 60_000),
        answeredAt: null,
        ringDeadline: new Date(deadline),
      });
    await due('overdue', 'x1', 'y1', now - 1000);
    await due('later', 'x2', 'y2', now + 60_000);
    const fired: string[] = [];
    const onRingDue = async (callId: string) => {
      fired.push(callId);
    };
    const instances = ['s1', 's2', 's3'].map((id) => sweeper(id, { onRingDue }));
    await Promise.all(instances.map((s) => s.sweep()));
    expect(fired).toEqual(['overdue']);
    // Claimed under a lease: not offered again while it runs.
    await Promise.all(instances.map((s) => s.sweep()));
    expect(fired).toEqual(['overdue']);
    // Once it ended (what ringTimeout does), it is gone for good.
    expect(await calls.tryEnd('overdue' as CallId, 'ringing')).not.toBeNull();
    expect(await redis.client.zrange(keys.ringDeadlines, '0', '-1')).toEqual(['later']);
  });

  it('hands each connection of a dead instance to exactly one peer, once', async () => {
    const presence = createRedisPresenceStore(redis.client, keys, 'dying');
    const dying = sweeper('dying', { instanceTtlMs: 300 });
    await dying.start();
    await presence.setConnectionStatus('p' as UserId, 'p1', 'active');
    await presence.setConnectionStatus('p' as UserId, 'p2', 'idle');
    await presence.setConnectionStatus('q' as UserId, 'q1', 'active');
    // It dies without a word: no more heartbeats (its timers are stopped without leaving).
    await eventually(
      async () => (await redis.client.exists(keys.instance('dying', ':alive'))) === 0,
    );

    const orphans: OrphanConnection[] = [];
    const peers = ['peer1', 'peer2', 'peer3'].map((id) =>
      sweeper(id, {
        onOrphan: async (orphan) => {
          orphans.push(orphan);
          // What presenceConnectionClosed does, through the peer's own store.
          await createRedisPresenceStore(redis.client, keys, id).removeConnection(
            orphan.userId,
            orphan.connectionId,
          );
        },
      }),
    );
    for (const peer of peers) await peer.start();
    await Promise.all(peers.map((peer) => peer.sweep()));
    expect(orphans.map((o) => `${o.userId}/${o.connectionId}`).sort()).toEqual([
      'p/p1',
      'p/p2',
      'q/q1',
    ]);
    expect(orphans.every((o) => o.instanceId === 'dying')).toBe(true);
    expect(await presence.statusOf(['p' as UserId, 'q' as UserId])).toEqual(
      new Map([
        ['p', 'offline'],
        ['q', 'offline'],
      ]),
    );
    expect(await redis.client.smembers(keys.instances)).not.toContain('dying');
    await Promise.all(peers.map((peer) => peer.sweep()));
    expect(orphans).toHaveLength(3);
  });

  it('never takes a connection from an instance that is alive', async () => {
    const living = createRedisPresenceStore(redis.client, keys, 'living');
    await sweeper('living').start();
    await living.setConnectionStatus('r' as UserId, 'r1', 'active');
    const other = createRedisPresenceStore(redis.client, keys, 'other');
    expect(await other.removeConnection('r' as UserId, 'r1')).toEqual({
      before: 'active',
      after: 'active',
    });
    const orphans: OrphanConnection[] = [];
    const peer = sweeper('peer', { onOrphan: async (o) => void orphans.push(o) });
    await peer.start();
    await peer.sweep();
    expect(orphans).toEqual([]);
  });

  it('restores its records when Redis lost them, and leaves the cluster on stop', async () => {
    let restored = 0;
    const self = sweeper('forgetful', {
      onRegistrationLost: async () => {
        restored += 1;
      },
    });
    await self.start();
    expect(await self.heartbeat()).toBe(true);
    await redis.client.del(keys.instance('forgetful', ':alive'));
    expect(await self.heartbeat()).toBe(false);
    await eventually(() => restored === 1);
    await self.stop();
    expect(await redis.client.exists(keys.instance('forgetful', ':alive'))).toBe(0);
    expect(await redis.client.smembers(keys.instances)).not.toContain('forgetful');
  });

  afterAll(async () => {
    await deleteKeys(redis.client, keys.prefix);
  });
});
