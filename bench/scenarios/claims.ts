/**
 * @module One-time key claims under contention: an owner's EC pool (filled
 * with a fresh identity key each round) drained by concurrent `GET
 * /api/keys/:owner/bundle`, against a driver-only loop of
 * `findOneAndDelete({ owner }, sort keyId)` draining a pool of the same size
 * in the same database at the same concurrency. Every handed-out keyId is
 * counted: the product must hand out none twice.
 */
import { randomBytes } from 'node:crypto';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { api, type BenchUser, registerUser, startProduct } from '../lib/product.js';
import { row, side } from '../lib/report.js';

const CONCURRENCY = 32;

interface Claimed {
  claims: number;
  unique: number;
  duplicates: number;
  perSec: number;
  p50: number;
  p99: number;
  errors?: number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Publishes a bundle with a new identity key and fills the EC pool with `count` keys. */
async function fillPool(url: string, owner: BenchUser, count: number): Promise<void> {
  const keys = Array.from({ length: count }, (_, keyId) => ({ keyId, publicKey: hex(32) }));
  const published = await api(
    url,
    'POST',
    '/api/keys/publish',
    {
      identityKey: hex(32),
      registrationId: 1234,
      signedPreKey: { keyId: 1, publicKey: hex(32), signature: hex(64) },
      oneTimePreKeys: keys.slice(0, 100),
    },
    owner.token,
  );
  if (published.status !== 200) {
    throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  }
  for (let i = 100; i < count; i += 100) {
    const added = await api(
      url,
      'POST',
      '/api/keys/onetime/replenish',
      { oneTimePreKeys: keys.slice(i, i + 100) },
      owner.token,
    );
    if (added.status !== 200) {
      throw new Error(`replenish: ${added.status} ${JSON.stringify(added.body)}`);
    }
  }
}

export const claimsScenario: Scenario = {
  id: 'claims',
  title: 'One-time key claims under contention vs driver findOneAndDelete',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const poolSize = settings.quick ? 100 : 250;
    const mongo = await ctx.mongo();
    const uri = mongo.uri('claims');
    const product = await startProduct({ name: 'product (mongo)', env: { MONGODB_URI: uri } });
    const load = await ctx.loadWorker();
    const driver = await ctx.serverWorker('baselines/db-worker.ts', 'driver findOneAndDelete loop');
    try {
      const owner = await registerUser(product.url, 'Owner');
      const requester = await registerUser(product.url, 'Requester');
      let round = 0;
      const measureProduct = async (url: string, begin?: () => void): Promise<Claimed> => {
        await fillPool(url, owner, poolSize);
        begin?.();
        return load.call<Claimed>('claims', {
          url,
          ownerId: owner.userId,
          token: requester.token,
          concurrency: CONCURRENCY,
          maxRequests: poolSize * 2,
        });
      };
      const measureDriver = async (): Promise<Claimed> => {
        const pool = `round-${++round}`;
        await driver.call('claimSetup', { uri, owner: pool, count: poolSize });
        return driver.call<Claimed>('claimLoop', { uri, owner: pool, concurrency: CONCURRENCY });
      };
      ctx.log('claims: warm-up');
      await measureProduct(product.url);
      await measureDriver();
      ctx.log(`claims: ${settings.rounds} rounds × 2 × ${poolSize} keys`);
      const [p, d] = await alternate(settings.rounds, [
        () => measureProduct(product.url),
        () => measureDriver(),
      ]);
      const duplicates = p!.reduce((a, r) => a + r.duplicates, 0);
      const shortfall = p!.reduce((a, r) => a + (poolSize - r.unique), 0);
      const lat = (runs: Claimed[]) => ({
        p50: runs.map((r) => r.p50),
        p99: runs.map((r) => r.p99),
      });
      const rows = [
        row({
          scenario: 'claims',
          title: 'one-time key claims under contention',
          metric: `claims/s vs driver findOneAndDelete loop (${CONCURRENCY} concurrent, ${poolSize} keys), zero duplicates`,
          product: side(
            'product',
            'claims/s',
            p!.map((r) => r.perSec),
            lat(p!),
          ),
          baseline: side(
            'findOneAndDelete loop',
            'claims/s',
            d!.map((r) => r.perSec),
            lat(d!),
          ),
          target: { op: '>=', value: 0.8, text: '≥ 0.80, 0 duplicates' },
          extraCheck: duplicates === 0,
        }),
      ];
      const notes = [
        `database: ${mongo.description}`,
        `product: ${duplicates} duplicate key(s) handed out over ${settings.rounds} rounds (${p!.reduce((a, r) => a + r.claims, 0)} claims); keys never handed out: ${shortfall}`,
        `baseline findOneAndDelete: ${d!.reduce((a, r) => a + r.duplicates, 0)} duplicate(s) over ${d!.reduce((a, r) => a + r.claims, 0)} claims (its claims/s counts distinct keys only)`,
        'Per fetch the product runs about six database operations on this path (token user, bundle, find lowest key, deleteOne, insert handed-out record, a count limited to 10 for prekeys-low; the Kyber pool is skipped by _id reads when the publish brought none); the baseline runs one findOneAndDelete. On FerretDB/SQLite only _id-filtered reads avoid a collection scan.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('claims: profiling the product');
        const summary = await ctx.profileProduct(
          { name: 'product (mongo, profiled)', env: { MONGODB_URI: uri } },
          async (server, begin) => {
            await measureProduct(server.url, begin);
          },
        );
        if (summary) profiles.push(summary);
      }
      return { rows, notes, profiles };
    } finally {
      await driver.call('close').catch(() => {});
      await Promise.all([load.stop(), driver.stop(), product.stop()]);
    }
  },
};
