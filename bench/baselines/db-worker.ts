/**
 * @module Baseline: the driver alone, in a process pinned like the server.
 * `findOneLoop`: `concurrency` loops of `findOne({ _id })` on the users
 * collection the product reads. `claimSetup` / `claimLoop`: a pool of
 * one-time-key-like documents drained by `findOneAndDelete` (lowest keyId
 * first), counting duplicates.
 */
import { MongoClient, ObjectId } from 'mongodb';
import { serveRpc } from '../lib/proc.js';
import { latencySummary } from '../lib/stats.js';

const now = () => performance.now();
let client: MongoClient | undefined;

async function db(uri: string) {
  client ??= await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
  return client.db();
}

serveRpc({
  async findOneLoop(params: { uri: string; id: string; concurrency: number; durationSec: number }) {
    const users = (await db(params.uri)).collection('users');
    const _id = ObjectId.createFromHexString(params.id);
    if (!(await users.findOne({ _id }))) throw new Error('user not found');
    const latencies: number[] = [];
    const started = now();
    const deadline = started + params.durationSec * 1000;
    await Promise.all(
      Array.from({ length: params.concurrency }, async () => {
        while (now() < deadline) {
          const t0 = now();
          await users.findOne({ _id });
          latencies.push(now() - t0);
        }
      }),
    );
    const elapsed = now() - started;
    return { perSec: (latencies.length / elapsed) * 1000, ...latencySummary(latencies) };
  },

  async claimSetup(params: { uri: string; owner: string; count: number }) {
    const pool = (await db(params.uri)).collection('bench_claim_pool');
    await pool.createIndex({ owner: 1, keyId: 1 }, { unique: true });
    await pool.deleteMany({ owner: params.owner });
    const docs = Array.from({ length: params.count }, (_, keyId) => ({
      owner: params.owner,
      keyId,
      publicKey: 'ab'.repeat(33),
    }));
    for (let i = 0; i < docs.length; i += 100) await pool.insertMany(docs.slice(i, i + 100));
    return { inserted: params.count };
  },

  async claimLoop(params: { uri: string; owner: string; concurrency: number }) {
    const pool = (await db(params.uri)).collection('bench_claim_pool');
    const keyIds: number[] = [];
    const latencies: number[] = [];
    const started = now();
    let lastAt = started;
    await Promise.all(
      Array.from({ length: params.concurrency }, async () => {
        for (;;) {
          const t0 = now();
          const doc = await pool.findOneAndDelete({ owner: params.owner }, { sort: { keyId: 1 } });
          if (!doc) return;
          latencies.push(now() - t0);
          keyIds.push(doc.keyId as number);
          lastAt = now();
        }
      }),
    );
    const unique = new Set(keyIds).size;
    const elapsedMs = lastAt - started;
    return {
      claims: keyIds.length,
      unique,
      duplicates: keyIds.length - unique,
      elapsedMs,
      perSec: (unique / Math.max(elapsedMs, 1)) * 1000,
      ...latencySummary(latencies),
    };
  },

  // `concurrency` findOneAndDelete calls at once, one each (the storm's fetches).
  async claimBurst(params: { uri: string; owner: string; concurrency: number }) {
    const pool = (await db(params.uri)).collection('bench_claim_pool');
    const started = now();
    const results = await Promise.all(
      Array.from({ length: params.concurrency }, async () => {
        const t0 = now();
        try {
          const doc = await pool.findOneAndDelete({ owner: params.owner }, { sort: { keyId: 1 } });
          return { ms: now() - t0, keyId: (doc?.keyId as number | undefined) ?? null, ok: true };
        } catch {
          return { ms: now() - t0, keyId: null, ok: false };
        }
      }),
    );
    const elapsedMs = now() - started;
    const keyIds = results.flatMap((r) => (r.keyId === null ? [] : [r.keyId]));
    return {
      claims: keyIds.length,
      duplicates: keyIds.length - new Set(keyIds).size,
      errors: results.filter((r) => !r.ok).length,
      elapsedMs,
      perSec: (results.length / Math.max(elapsedMs, 1)) * 1000,
      ...latencySummary(results.map((r) => r.ms)),
    };
  },

  async close() {
    await client?.close();
    client = undefined;
    return {};
  },
});
