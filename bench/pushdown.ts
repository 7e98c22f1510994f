/**
 * @module `node --import tsx bench/pushdown.ts [--users N]`: which of the key
 * directory's queries FerretDB 1.24 pushes down to each backend, and what each
 * costs. For SQLite and PostgreSQL in turn it starts FerretDB, fills the key
 * collections with N users' pools (100 keys each, as the adapter shapes them),
 * then prints for every hot query FerretDB's `explain` flags (filter / sort /
 * limit pushdown), PostgreSQL's plan node, and the query's latency (median of
 * 30 sequential runs). Not part of `npm run bench`: a measurement for the
 * adapter's design (adapters/mongo/key-bundle-repository.ts).
 */
import { type Document, MongoClient, ObjectId } from 'mongodb';
import { ensureIndexes } from '../adapters/mongo/indexes.js';
import {
  ensureFerretDb,
  type FerretDbBackend,
  startFerretDb,
  uriWithDatabase,
} from '../test/support/mongo.js';

const users = Number(process.argv[process.argv.indexOf('--users') + 1]) || 200;

interface Probe {
  readonly name: string;
  readonly collection: string;
  readonly filter: Document;
  readonly sort?: Document;
  readonly limit?: number;
  /** `count` runs countDocuments with the limit; `find` a find. */
  readonly kind: 'find' | 'count';
}

function probes(user: ObjectId, generation: string, identityKey: string): Probe[] {
  const pool = { userId: user, generation, kind: 'ec' };
  return [
    { name: 'bundle by _id', collection: 'key_bundles', filter: { _id: user }, kind: 'find' },
    {
      name: 'lowest key of a pool',
      collection: 'one_time_keys',
      filter: pool,
      sort: { keyId: 1 },
      limit: 1,
      kind: 'find',
    },
    {
      name: 'pool size, up to 10',
      collection: 'one_time_keys',
      filter: pool,
      limit: 10,
      kind: 'count',
    },
    { name: 'pool size', collection: 'one_time_keys', filter: pool, kind: 'count' },
    {
      name: 'key by _id (deleteOne)',
      collection: 'one_time_keys',
      filter: { _id: `${user.toHexString()}:x` },
      kind: 'find',
    },
    {
      name: 'pooled among offered ($in)',
      collection: 'one_time_keys',
      filter: { ...pool, keyId: { $in: [1, 2, 3] } },
      kind: 'find',
    },
    {
      name: 'handed out among offered',
      collection: 'handed_out_keys',
      filter: { userId: user, identityKey, kind: 'ec', keyId: { $in: [1, 2, 3] } },
      kind: 'find',
    },
  ];
}

async function measure(backend: FerretDbBackend): Promise<void> {
  const ferret = await startFerretDb({ binary: await ensureFerretDb(), backend });
  const client = await new MongoClient(uriWithDatabase(ferret.uri, 'pushdown')).connect();
  try {
    const db = client.db('pushdown');
    await ensureIndexes(db);
    const identityKey = `05${'ab'.repeat(32)}`;
    // Documents shaped as the adapter writes them, inserted in bulk (much faster than publishing).
    let probeUser = new ObjectId();
    let probeGeneration = '';
    for (let u = 0; u < users; u++) {
      probeUser = new ObjectId();
      probeGeneration = new ObjectId().toHexString();
      await db.collection('key_bundles').insertOne({
        _id: probeUser,
        identityKey,
        generation: probeGeneration,
        kyberOneTimeKeys: false,
      });
      await db.collection('one_time_keys').insertMany(
        Array.from({ length: 100 }, (_, keyId) => ({
          userId: probeUser,
          generation: probeGeneration,
          kind: 'ec',
          keyId,
          publicKey: 'ab'.repeat(33),
          identityKey,
          addedAt: new Date(),
        })),
      );
      await db.collection('handed_out_keys').insertMany(
        Array.from({ length: 5 }, (_, keyId) => ({
          userId: probeUser,
          identityKey,
          kind: 'ec',
          keyId: 1000 + keyId,
          at: new Date(),
        })),
      );
    }
    console.log(`\n## FerretDB ${backend} (${ferret.storage}), ${users} users × 100 keys`);
    console.log('| query | filter | sort | limit | PostgreSQL plan | median ms |');
    console.log('|---|---|---|---|---|---|');
    for (const probe of probes(probeUser, probeGeneration, identityKey)) {
      const find: Document = { find: probe.collection, filter: probe.filter };
      if (probe.sort) find.sort = probe.sort;
      if (probe.limit) find.limit = probe.limit;
      const command =
        probe.kind === 'count'
          ? {
              count: probe.collection,
              query: probe.filter,
              ...(probe.limit ? { limit: probe.limit } : {}),
            }
          : find;
      const explained = await db.command({ explain: command });
      const plan = JSON.stringify(explained.queryPlanner ?? {});
      const node = /"Node Type":"([^"]+)"/.exec(plan)?.[1] ?? '-';
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        const collection = db.collection(probe.collection);
        if (probe.kind === 'count') {
          await collection.countDocuments(probe.filter, probe.limit ? { limit: probe.limit } : {});
        } else {
          let cursor = collection.find(probe.filter);
          if (probe.sort) cursor = cursor.sort(probe.sort);
          if (probe.limit) cursor = cursor.limit(probe.limit);
          await cursor.toArray();
        }
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const flag = (value: unknown) => (value === true ? 'yes' : value === false ? 'no' : '-');
      console.log(
        `| ${probe.name} | ${flag(explained.filterPushdown)} | ${flag(explained.sortPushdown)} | ${flag(explained.limitPushdown)} | ${node} | ${times[15]!.toFixed(2)} |`,
      );
    }
  } finally {
    await client.close();
    await ferret.dispose();
  }
}

for (const backend of ['sqlite', 'postgresql'] as const) await measure(backend);
