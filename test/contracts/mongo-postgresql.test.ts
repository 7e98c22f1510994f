/**
 * @module The contention-heavy port contracts against the MongoDB adapters on
 * FerretDB's PostgreSQL backend (see test/support/mongo.ts): it pushes
 * equality filters down, so racing claims, replenishes and publishes run at
 * the speed they would on a real server, while mongo.test.ts runs every
 * contract on the SQLite backend (the faithful one for content).
 */
import { beforeAll } from 'vitest';
import { createMongoStore, type MongoStore } from '../../adapters/mongo/create-mongo-store.js';
import { COLLECTIONS } from '../../adapters/mongo/indexes.js';
import { useTestDatabase } from '../support/mongo.js';
import { describeCallRepositoryContract } from './call-repository.contract.js';
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
