/**
 * The adversarial cases of SECURITY.md that cross instances: two server
 * processes on one MongoDB-compatible database and one Redis, rate limits
 * on, the attacker on one instance and the victim on the other; and the
 * call history of a flooded user on MongoDB. The file starts its own
 * database server (the security project has no global one: its other files
 * need none).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoStore } from '../../adapters/mongo/create-mongo-store.js';
import type { CallId, CallRecord, UserId } from '../../core/index.js';
import { startMongoServer, type TestMongoServer, uriWithDatabase } from '../support/mongo.js';
import { deleteKeys } from '../support/redis.js';
import { findTestRedis, type TestRedis } from '../support/redis-server.js';
import { type ServerProcess, useServerProcesses } from '../support/server-process.js';
import {
  connectWs,
  frameOf,
  registerUser,
  type TestUser,
  type WsClient,
} from '../support/ws-client.js';
import { expectChosenIdsScoped, floodStalledCallee } from './helpers.js';

const processes = useServerProcesses();
const sockets: WsClient[] = [];
let mongo: TestMongoServer;
let redis: TestRedis | undefined;
const database = `security_${randomBytes(6).toString('hex')}`;
const keyPrefix = `security-${randomBytes(6).toString('hex')}:`;

beforeAll(async () => {
  [mongo, redis] = await Promise.all([startMongoServer('sqlite'), findTestRedis()]);
}, 120_000);
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close().catch(() => {})));
  await processes.stopAll();
  if (redis !== undefined) {
    const client = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    await client
      .connect()
      .then(() => deleteKeys(client, keyPrefix))
      .catch(() => {})
      .finally(() => client.disconnect());
  }
  await Promise.all([mongo?.stop(), redis?.stop()]);
});

/** Two instances on the file's database and Redis, started by the first test that needs them. */
let pair: Promise<[ServerProcess, ServerProcess]> | undefined;
function startPair(): Promise<[ServerProcess, ServerProcess]> {
  const env = {
    MONGODB_URI: uriWithDatabase(mongo.uri, database),
    REDIS_URL: redis!.url,
    REDIS_KEY_PREFIX: keyPrefix,
    RATE_LIMITS: 'on',
    // Sign-ups of every run count per address in a shared Redis: not this file's subject.
    RATE_LIMIT_REGISTER_PER_IP: '100000/1h',
    RATE_LIMIT_CODE_PER_IP: '100000/1h',
    // The lowest the server allows: one full presence pull.
    RATE_LIMIT_PROFILE_READS_PER_USER: '200/1h',
  };
  pair ??= Promise.all(['A', 'B'].map((name) => processes.start({ name, env }))) as Promise<
    [ServerProcess, ServerProcess]
  >;
  return pair;
}

/** Starting two processes takes a while on a busy machine. */
const CLUSTER_TEST_MS = 90_000;

async function connect(user: TestUser, instance: ServerProcess): Promise<WsClient> {
  const socket = await connectWs(instance.url, user.token);
  sockets.push(socket);
  return socket;
}

/** Ids nobody has: a presence subscription spends a point for each, known or not. */
const unknownIds = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => `${tag}${String(i).padStart(24 - tag.length, '0')}`);

describe('two instances', () => {
  it(
    'a stranger on one instance cannot cut a stalled callee on the other',
    async (ctx) => {
      if (redis === undefined) return ctx.skip();
      const [a, b] = await startPair();
      const mallory = await registerUser(a.url, 'Mallory');
      const bob = await registerUser(b.url, 'Bob');
      const caller = await connect(mallory, a);
      const callee = await connect(bob, b);
      await floodStalledCallee(caller, callee, bob.userId);
    },
    CLUSTER_TEST_MS,
  );

  it(
    'subscribe-presence on one instance and a pull on the other spend one budget',
    async (ctx) => {
      if (redis === undefined) return ctx.skip();
      const [a, b] = await startPair();
      const reader = await registerUser(a.url, 'Reader');
      const onA = await connect(reader, a);
      const onB = await connect(reader, b);
      onA.send('subscribe-presence', { userIds: unknownIds(150, 'aa') });
      await onA.roundTrip();
      onB.send('subscribe-presence', { userIds: unknownIds(100, 'bb') });
      const refused = await onB.waitFor(frameOf('error', { code: 'RATE_LIMITED' }));
      expect(refused.payload).toMatchObject({
        type: 'subscribe-presence',
        retryAfter: expect.any(Number),
      });
      const pull = await fetch(`${a.url}/api/users/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': reader.token },
        body: JSON.stringify({ userIds: unknownIds(1, 'cc') }),
      });
      expect(pull.status).toBe(429);
      expect(onB.socket.readyState).toBe(onB.socket.OPEN);
    },
    CLUSTER_TEST_MS,
  );

  it(
    "client-chosen callIds on one instance cannot block another user's calls on the other",
    async (ctx) => {
      if (redis === undefined) return ctx.skip();
      const [a, b] = await startPair();
      const squatter = await registerUser(a.url, 'Squatter');
      const offline = await registerUser(a.url, 'Offline');
      const bystander = await registerUser(b.url, 'Bystander');
      const victim = await registerUser(b.url, 'Victim');
      const callee = await registerUser(a.url, 'Callee');
      await expectChosenIdsScoped(
        {
          squatter: await connect(squatter, a),
          bystander: await connect(bystander, b),
          victim: await connect(victim, b),
          victimsCallee: await connect(callee, a),
        },
        { offline: offline.userId, bystander: bystander.userId, victimsCallee: callee.userId },
      );
    },
    CLUSTER_TEST_MS,
  );
});

describe('the call history of a flooded user, on MongoDB', () => {
  it(
    'reads a deep page after a cursor as a range of the index, never skipping',
    async () => {
      const client = new MongoClient(uriWithDatabase(mongo.uri, `${database}_history`), {
        monitorCommands: true,
      });
      const finds: CommandStartedEvent['command'][] = [];
      client.on('commandStarted', (event) => {
        if (event.commandName === 'find' && event.command.find === 'calls')
          finds.push(event.command);
      });
      try {
        await client.connect();
        const { calls } = await createMongoStore(client.db());
        const victim = '6c0000000000000000000001' as UserId;
        const total = 1_500;
        const t0 = Date.parse('2026-03-01T12:00:00.000Z');
        const record = (i: number): CallRecord => ({
          id: `flood-${String(i).padStart(5, '0')}` as CallId,
          callerId: `6c00000000000000000${String(100 + (i % 40)).padStart(5, '0')}` as UserId,
          calleeId: victim,
          media: 'audio',
          status: 'missed',
          // Pairs share a start time: the id breaks the tie.
          startedAt: new Date(t0 + Math.floor(i / 2) * 1_000),
          answeredAt: null,
          endedAt: new Date(t0 + Math.floor(i / 2) * 1_000),
          durationSec: null,
          endReason: 'hangup',
        });
        for (let i = 0; i < total; i += 100) {
          await Promise.all(Array.from({ length: 100 }, (_, k) => calls.insert(record(i + k))));
        }
        // Newest first: index 0 of the history is flood-01499. The cursor is call 1 200 of the history.
        const nth = (n: number) => `flood-${String(total - 1 - n).padStart(5, '0')}`;
        const cursor = record(total - 1 - 1_199);
        finds.length = 0;
        const page = await calls.listForUser(victim, {
          limit: 30,
          offset: 0,
          before: { startedAt: cursor.startedAt, id: cursor.id },
        });
        expect(page.map((call) => call.id)).toEqual(
          Array.from({ length: 30 }, (_, k) => nth(1_200 + k)),
        );
        expect(finds).toHaveLength(1);
        expect(finds[0]!.skip ?? 0).toBe(0);
        expect(finds[0]!.filter).toMatchObject({ startedAt: { $lte: cursor.startedAt } });
        // Offset paging keeps its answers.
        const byOffset = await calls.listForUser(victim, { limit: 30, offset: 1_200 });
        expect(byOffset.map((call) => call.id)).toEqual(page.map((call) => call.id));
      } finally {
        await client
          .db()
          .dropDatabase()
          .catch(() => {});
        await client.close();
      }
    },
    CLUSTER_TEST_MS,
  );
});
