/**
 * @module Every port contract against the MongoDB adapters, on the run's real
 * server (see test/support/mongo.ts). Each test starts from empty collections
 * of this file's own database; the indexes are created once, as at start-up.
 */
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { connectMongo, createMongoConnection } from '../../adapters/mongo/connect.js';
import { createMongoStore, type MongoStore } from '../../adapters/mongo/create-mongo-store.js';
import { createMongoEventLog } from '../../adapters/mongo/event-log.js';
import { COLLECTIONS } from '../../adapters/mongo/indexes.js';
import { createMongoUserRepository } from '../../adapters/mongo/user-repository.js';
import {
  type CallEnd,
  type CallId,
  type CallRecord,
  type MessageId,
  ServiceUnavailableError,
  type UserId,
} from '../../core/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { describeBlockRepositoryContract } from './block-repository.contract.js';
import { describeCallRepositoryContract } from './call-repository.contract.js';
import { describeConversationRepositoryContract } from './conversation-repository.contract.js';
import { describeDeliveryRepositoryContract } from './delivery-repository.contract.js';
import { describeEventLogContract } from './event-log.contract.js';
import { describeKeyBundleRepositoryContract } from './key-bundle-repository.contract.js';
import { describeMessageRepositoryContract } from './message-repository.contract.js';
import { describeReadMarkRepositoryContract } from './read-mark-repository.contract.js';
import { describeSessionRepositoryContract } from './session-repository.contract.js';
import { describeUserRepositoryContract } from './user-repository.contract.js';
import { describeVerificationRepositoryContract } from './verification-repository.contract.js';

const database = useTestDatabase();
let store: MongoStore;

beforeAll(async () => {
  store = await createMongoStore(database.db);
});

async function emptied(): Promise<MongoStore> {
  await Promise.all(
    Object.values(COLLECTIONS).map((name) => database.db.collection(name).deleteMany({})),
  );
  return store;
}

describeUserRepositoryContract('mongo', async () => (await emptied()).users);
describeMessageRepositoryContract('mongo', async () => (await emptied()).messages);
describeConversationRepositoryContract('mongo', async () => (await emptied()).conversations);
describeKeyBundleRepositoryContract('mongo', async () => (await emptied()).keyBundles);
describeBlockRepositoryContract('mongo', async () => (await emptied()).blocks);
describeCallRepositoryContract('mongo', async () => (await emptied()).calls);
describeSessionRepositoryContract('mongo', async () => (await emptied()).sessions);
describeVerificationRepositoryContract('mongo', async () => (await emptied()).verifications);
// Three logs on one database: three server instances, each with its own remembered heads.
describeEventLogContract('mongo', async () => {
  await emptied();
  return [store.events, createMongoEventLog(database.db), createMongoEventLog(database.db)];
});

describe('MongoDB adapters without a reachable server', () => {
  // Nothing listens on port 1: every connection attempt is refused.
  const unreachable = 'mongodb://127.0.0.1:1/nowhere';

  it('answer SERVICE_UNAVAILABLE quickly instead of hanging', async () => {
    const connection = createMongoConnection(unreachable, { serverSelectionTimeoutMS: 500 });
    try {
      const started = Date.now();
      const users = createMongoUserRepository(connection.db);
      await expect(users.findById('0123456789abcdef01234567')).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
      await expect(createMongoStore(connection.db)).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
      });
      expect(await connection.ping()).toBe(false);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await connection.close();
    }
  });

  it('fail to connect with ServiceUnavailableError', async () => {
    await expect(
      connectMongo(unreachable, { serverSelectionTimeoutMS: 500 }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('MongoDB adapters after a crash between two writes', () => {
  const ids = createObjectIdGenerator();
  const bundle = () => ({
    identityKey: `05${'ab'.repeat(32)}`,
    registrationId: 1,
    signedPreKey: { keyId: 1, publicKey: 'cd'.repeat(32), signature: 'ef'.repeat(64) },
    kyberPreKey: null,
    generation: ids.newId(),
  });
  const ecKeys = (keyIds: number[]) => ({
    preKeys: keyIds.map((keyId) => ({ keyId, publicKey: '12'.repeat(32) })),
    kyberPreKeys: [],
  });

  it('ignores, then sweeps, the keys of a publish that died before switching', async () => {
    const { keyBundles } = await emptied();
    const userId = ids.newId() as UserId;
    const current = bundle();
    await keyBundles.publish(userId, current, ecKeys([5]));
    const pool = database.db.collection(COLLECTIONS.oneTimeKeys);
    const stray = ids.newId();
    await pool.insertOne({
      userId: new ObjectId(userId),
      generation: stray,
      kind: 'ec',
      keyId: 1,
      publicKey: '34'.repeat(32),
      identityKey: current.identityKey,
      addedAt: new Date(Date.now() - 2 * 3600_000),
    });
    expect(await keyBundles.count(userId)).toEqual({ count: 1, kyberCount: 0 });
    expect((await keyBundles.claimPreKey(userId, current.generation))?.keyId).toBe(5);
    expect(await keyBundles.claimPreKey(userId, current.generation)).toBeNull();
    await keyBundles.publish(userId, bundle(), ecKeys([]));
    expect(await pool.countDocuments({ generation: stray })).toBe(0);
  });

  it('never hands out a pooled key whose keyId is already recorded as handed out', async () => {
    const { keyBundles } = await emptied();
    const userId = ids.newId() as UserId;
    const current = bundle();
    await keyBundles.publish(userId, current, ecKeys([1, 2, 3]));
    // A claim of keyId 1 from the previous publish, racing this re-upload.
    await database.db.collection(COLLECTIONS.handedOutKeys).insertOne({
      userId: new ObjectId(userId),
      identityKey: current.identityKey,
      kind: 'ec',
      keyId: 1,
      at: new Date(),
    });
    const claimed = [];
    for (let i = 0; i < 4; i++)
      claimed.push((await keyBundles.claimPreKey(userId, current.generation))?.keyId);
    expect(claimed).toEqual([2, 3, undefined, undefined]);
    expect(await keyBundles.count(userId)).toEqual({ count: 0, kyberCount: 0 });
  });

  it('shows the newest message when an older head was left behind', async () => {
    const { conversations, messages } = await emptied();
    const [a, b] = [ids.newId() as UserId, ids.newId() as UserId];
    const conversationId = await conversations.ensure(a, b);
    const at = (ms: number, id = ids.newId()) => ({
      id: id as MessageId,
      conversationId,
      senderId: a,
      receiverId: b,
      content: `at ${ms}`,
      messageType: 'text',
      clientMessageId: null,
      createdAt: new Date(Date.UTC(2026, 0, 1) + ms),
    });
    const older = at(1);
    const newer = at(2);
    await conversations.recordMessage(newer);
    // What a recordMessage of `older` that died after its first write leaves.
    await database.db.collection(COLLECTIONS.conversationHeads).insertOne({
      conversationId: new ObjectId(conversationId),
      participants: [a, b].sort().map((id) => new ObjectId(id)),
      at: older.createdAt,
      messageId: new ObjectId(older.id),
      message: { ...older, _id: new ObjectId(older.id) },
    });
    expect(await conversations.listForUser(a, { limit: 10, offset: 0 })).toEqual([
      { id: conversationId, participants: [a, b].sort(), lastMessage: newer },
    ]);
    // A message whose recordMessage never ran is still in its conversation's pages.
    const unrecorded = at(3);
    await messages.insert(unrecorded);
    expect(await messages.listInConversation(conversationId, { limit: 10, offset: 0 })).toEqual([
      unrecorded,
    ]);
  });
});

describe('MongoDB call history', () => {
  const ids = createObjectIdGenerator();
  const ringing = (id: string = ids.newId()): CallRecord => ({
    id: id as CallId,
    callerId: ids.newId() as UserId,
    calleeId: ids.newId() as UserId,
    media: 'audio',
    status: 'ringing',
    startedAt: new Date(Date.UTC(2026, 4, 1)),
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
  });
  const end = (ms: number): CallEnd => ({
    status: 'completed',
    endReason: 'hangup',
    endedAt: new Date(Date.UTC(2026, 4, 1) + ms),
    durationSec: 1,
  });

  it('stores callIds as plain string _ids, also those that look like ObjectIds', async () => {
    const { calls } = await emptied();
    const hex = ids.newId();
    await calls.insert(ringing(hex));
    const raw = await database.db.collection(COLLECTIONS.calls).findOne({ _id: hex as never });
    expect(typeof raw?._id).toBe('string');
    expect(
      await database.db.collection(COLLECTIONS.calls).countDocuments({ _id: new ObjectId(hex) }),
    ).toBe(0);
    expect((await calls.findById(hex))?.id).toBe(hex);
  });

  it('lets exactly one of concurrent answers win, and keeps answers and finishes in order', async () => {
    const { calls } = await emptied();
    for (let round = 0; round < 5; round++) {
      const record = ringing();
      await calls.insert(record);
      const answers = Array.from({ length: 4 }, (_, i) =>
        calls.markAnswered(record.id, new Date(Date.UTC(2026, 4, 1) + i)),
      );
      const finishes = Array.from({ length: 4 }, (_, i) => calls.finish(record.id, end(10 + i)));
      const [answered, finished] = await Promise.all([Promise.all(answers), Promise.all(finishes)]);
      expect(answered.filter(Boolean).length).toBeLessThanOrEqual(1);
      expect(finished.filter(Boolean)).toHaveLength(1);
      const stored = await calls.findById(record.id);
      expect(stored?.status).toBe('completed');
      // An answer counts only if it came before the finish.
      expect(stored?.answeredAt === null).toBe(!answered.some(Boolean));
      expect(await calls.markAnswered(record.id, new Date())).toBe(false);
      expect(await calls.finish(record.id, end(99))).toBe(false);
      expect(await calls.findById(record.id)).toEqual(stored);
    }
  });

  it('shows a transition whose process died right after writing it', async () => {
    const { calls } = await emptied();
    const record = ringing();
    await calls.insert(record);
    const answeredAt = new Date(Date.UTC(2026, 4, 1, 0, 0, 5));
    // What a markAnswered that died after its only write leaves.
    await database.db.collection(COLLECTIONS.callTransitions).insertOne({
      _id: `1:${record.id}` as never,
      callId: record.id,
      step: 1,
      kind: 'answered',
      answeredAt,
    });
    const ongoing = { ...record, status: 'ongoing', answeredAt };
    expect(await calls.findById(record.id)).toEqual(ongoing);
    expect(await calls.listForUser(record.calleeId, { limit: 10, offset: 0 })).toEqual([ongoing]);
    expect(await calls.markAnswered(record.id, new Date())).toBe(false);
    expect(await calls.finish(record.id, end(65_000))).toBe(true);
    expect(await calls.findById(record.id)).toMatchObject({ status: 'completed', answeredAt });
  });
});
describeReadMarkRepositoryContract('mongo', async () => (await emptied()).readMarks);
describeDeliveryRepositoryContract('mongo', async () => (await emptied()).deliveries);
