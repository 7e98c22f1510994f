/**
 * @module The contention-heavy port contracts against the MongoDB adapters on
 * FerretDB's PostgreSQL backend (see test/support/mongo.ts): it pushes
 * equality filters down, so racing claims, replenishes and publishes run at
 * the speed they would on a real server, while mongo.test.ts runs every
 * contract on the SQLite backend (the faithful one for content).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMongoStore, type MongoStore } from '../../adapters/mongo/create-mongo-store.js';
import { createMongoEventLog } from '../../adapters/mongo/event-log.js';
import { COLLECTIONS } from '../../adapters/mongo/indexes.js';
import type { ConversationId, Message, MessageId, UserId } from '../../core/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { describeCallRepositoryContract } from './call-repository.contract.js';
import { describeDeliveryRepositoryContract } from './delivery-repository.contract.js';
import { describeEventLogContract } from './event-log.contract.js';
import { describeKeyBundleRepositoryContract } from './key-bundle-repository.contract.js';

const database = useTestDatabase({ backend: 'postgresql' });
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

describeKeyBundleRepositoryContract(
  'mongo on PostgreSQL',
  async () => (await emptied()).keyBundles,
);
describeCallRepositoryContract('mongo on PostgreSQL', async () => (await emptied()).calls);
describeDeliveryRepositoryContract('mongo on PostgreSQL', async () => (await emptied()).deliveries);
describeEventLogContract('mongo on PostgreSQL', async () => {
  await emptied();
  return [store.events, createMongoEventLog(database.db), createMongoEventLog(database.db)];
});

describe('MongoDB messages on PostgreSQL, which cannot hold U+0000', () => {
  const ids = createObjectIdGenerator();
  const message = (overrides: Partial<Message>): Message => ({
    id: ids.newId() as MessageId,
    conversationId: ids.newId() as ConversationId,
    senderId: ids.newId() as UserId,
    receiverId: ids.newId() as UserId,
    content: 'hello',
    messageType: 'text',
    clientMessageId: null,
    createdAt: new Date('2026-03-01T12:00:00.123Z'),
    ...overrides,
  });

  it('refuses such a message with VALIDATION_FAILED at its field and stores nothing', async () => {
    const { messages } = await emptied();
    for (const [path, refused] of [
      ['content', message({ content: 'a \u0000 b' })],
      ['clientMessageId', message({ clientMessageId: 'id-\u0000' })],
    ] as const) {
      await expect(messages.insert(refused)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path }],
      });
      expect(await messages.findById(refused.id)).toBeNull();
    }
    expect(await database.db.collection(COLLECTIONS.messages).countDocuments()).toBe(0);
    // A client id holding U+0000 was never stored, so none matches it.
    expect(await messages.findByClientMessageId(ids.newId() as UserId, 'id-\u0000')).toBeNull();
    // Every other control character is kept exactly.
    const kept = message({ content: '\u0001\t\u001f\u007f\u0085 ok' });
    await messages.insert(kept);
    expect(await messages.findById(kept.id)).toEqual(kept);
  });
});
