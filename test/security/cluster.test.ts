/**
 * The adversarial cases of SECURITY.md that cross instances: two server
 * processes on one MongoDB-compatible database and one Redis, rate limits
 * on, the attacker on one instance and the victim on the other. The file
 * starts its own database server (the security project has no global one:
 * its other files need none).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Two more instances on the file's database and Redis. */
function startPair(): Promise<ServerProcess[]> {
  const env = {
    MONGODB_URI: uriWithDatabase(mongo.uri, database),
    REDIS_URL: redis!.url,
    REDIS_KEY_PREFIX: keyPrefix,
    RATE_LIMITS: 'on',
    // The lowest the server allows: one full presence pull.
    RATE_LIMIT_PROFILE_READS_PER_USER: '200/1h',
  };
  return Promise.all(['A', 'B'].map((name) => processes.start({ name, env })));
}

async function connect(user: TestUser, instance: ServerProcess): Promise<WsClient> {
  const socket = await connectWs(instance.url, user.token);
  sockets.push(socket);
  return socket;
}

/** Ids nobody has: a presence subscription spends a point for each, known or not. */
const unknownIds = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => `${tag}${String(i).padStart(24 - tag.length, '0')}`);

describe('two instances', () => {
  it('a stranger on one instance cannot cut a stalled callee on the other', async (ctx) => {
    if (redis === undefined) return ctx.skip();
    const [a, b] = (await startPair()) as [ServerProcess, ServerProcess];
    const mallory = await registerUser(a.url, 'Mallory');
    const bob = await registerUser(b.url, 'Bob');
    const caller = await connect(mallory, a);
    const callee = await connect(bob, b);
    await floodStalledCallee(caller, callee, bob.userId);
  });

  it('subscribe-presence on one instance and a pull on the other spend one budget', async (ctx) => {
    if (redis === undefined) return ctx.skip();
    const [a, b] = (await startPair()) as [ServerProcess, ServerProcess];
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
  });

  it("client-chosen callIds on one instance cannot block another user's calls on the other", async (ctx) => {
    if (redis === undefined) return ctx.skip();
    const [a, b] = (await startPair()) as [ServerProcess, ServerProcess];
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
  });
});
