/**
 * @module The key directory storm of issue 13 (test/support/key-storm.ts):
 * two product instances on one FerretDB, an owner's 50 EC + 50 Kyber one-time
 * keys, 200 concurrent bundle fetches over both instances racing 10 identical
 * replenishes and 5 publishes. Measured on each FerretDB backend (each its own
 * server: PostgreSQL, the contention stand, carries the target; SQLite is for
 * information): the fetches' p50/p99 and throughput and every non-200 answer,
 * against 200 concurrent driver-only `findOneAndDelete` calls on a pool of 50
 * in the same database. The requests come from this (unpinned) process.
 */
import { randomBytes } from 'node:crypto';
import {
  checkFetchedBundles,
  publishFirstBundle,
  runKeyStorm,
  stormLatency,
} from '../../test/support/key-storm.js';
import {
  ensureFerretDb,
  type FerretDbBackend,
  startFerretDb,
  uriWithDatabase,
} from '../../test/support/mongo.js';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { registerUser, startProduct } from '../lib/product.js';
import { type Row, row, sideOfRuns } from '../lib/report.js';

const FETCHES = 200;
const POOL = 50;
const FETCHERS = 8;
const TARGET_P99_MS = 2000;

interface StormRound {
  p50: number;
  p99: number;
  perSec: number;
  /** Answers other than 200, by status, over fetches, replenishes and publishes. */
  failures: Record<string, number>;
  problems: number;
}

interface BurstRound {
  p50: number;
  p99: number;
  perSec: number;
  duplicates: number;
  errors: number;
}

async function onBackend(ctx: Ctx, backend: FerretDbBackend) {
  const { settings } = ctx;
  const given = process.env.MONGODB_URI;
  const ferret = given ? null : await startFerretDb({ binary: await ensureFerretDb(), backend });
  const description = ferret ? `FerretDB v1.24.2 (${ferret.storage})` : 'MONGODB_URI';
  const uri = uriWithDatabase(
    given ?? ferret!.uri,
    `bench_storm_${randomBytes(3).toString('hex')}`,
  );
  const env = { MONGODB_URI: uri };
  const a = await startProduct({ name: `product A (${backend})`, env });
  const b = await startProduct({ name: `product B (${backend})`, env });
  const driver = await ctx.serverWorker('baselines/db-worker.ts', 'driver findOneAndDelete burst');
  try {
    let round = 0;
    const storm = async (): Promise<StormRound> => {
      const owner = await registerUser(a.url, 'Storm owner');
      const fetchers = await Promise.all(
        Array.from({ length: FETCHERS }, (_, i) => registerUser(i % 2 ? b.url : a.url, 'Fetcher')),
      );
      const options = {
        urls: [a.url, b.url],
        owner,
        fetcherTokens: fetchers.map((f) => f.token),
        fetches: FETCHES,
        pool: POOL,
      };
      await publishFirstBundle(options);
      const result = await runKeyStorm(options);
      const failures: Record<string, number> = {};
      for (const answer of [...result.fetches, ...result.replenishes, ...result.publishes]) {
        if (answer.status !== 200) failures[answer.status] = (failures[answer.status] ?? 0) + 1;
      }
      const latency = stormLatency(result.fetches, result.elapsedMs);
      const answered = result.fetches.filter((answer) => answer.status === 200);
      return { ...latency, failures, problems: checkFetchedBundles(answered).length };
    };
    const burst = async (): Promise<BurstRound> => {
      const owner = `storm-${++round}`;
      await driver.call('claimSetup', { uri, owner, count: POOL });
      return driver.call<BurstRound>('claimBurst', { uri, owner, concurrency: FETCHES });
    };
    ctx.log(`storm (${backend}): warm-up`);
    await storm();
    await burst();
    ctx.log(`storm (${backend}): ${settings.rounds} rounds`);
    const [s, d] = await alternate<StormRound | BurstRound>(settings.rounds, [storm, burst]);
    return { description, storms: s as StormRound[], bursts: d as BurstRound[] };
  } finally {
    await driver.call('close').catch(() => {});
    await Promise.all([driver.stop(), a.stop(), b.stop()]);
    await ferret?.dispose();
  }
}

export const stormScenario: Scenario = {
  id: 'storm',
  title: 'Key directory storm: fetches racing replenishes and publishes, two instances',
  async run(ctx: Ctx) {
    const rows: Row[] = [];
    const notes: string[] = [];
    const backends: FerretDbBackend[] = process.env.MONGODB_URI
      ? ['postgresql']
      : ['postgresql', 'sqlite'];
    for (const backend of backends) {
      const { description, storms, bursts } = await onBackend(ctx, backend);
      const failed = storms.reduce(
        (n, r) => n + Object.values(r.failures).reduce((x, y) => x + y, 0),
        0,
      );
      const problems = storms.reduce((n, r) => n + r.problems, 0);
      const withTarget = backend === 'postgresql';
      rows.push(
        row({
          scenario: 'storm',
          title: `key storm on ${description}`,
          metric: `fetch p99 (ms) of ${FETCHES} concurrent fetches over 2 instances racing 10 replenishes and 5 publishes, vs ${FETCHES} concurrent findOneAndDelete; ratio = p99 / 2 s`,
          product: sideOfRuns('product fetch p99', 'ms', storms, (r) => r.p99),
          baseline: sideOfRuns('findOneAndDelete p99', 'ms', bursts, (r) => r.p99),
          ratios: storms.map((r) => r.p99 / TARGET_P99_MS),
          target: withTarget ? { op: '<=', value: 1, text: 'p99 ≤ 2 s, every answer 200' } : null,
          extraCheck: failed === 0 && problems === 0,
        }),
      );
      notes.push(
        `${backend}: fetches/s per round ${storms.map((r) => Math.round(r.perSec)).join(', ')} (findOneAndDelete burst: ${bursts.map((r) => Math.round(r.perSec)).join(', ')}); non-200 answers per round ${storms.map((r) => JSON.stringify(r.failures)).join(', ')}; broken promises (duplicates, mixed publishes) ${problems}; findOneAndDelete duplicates ${bursts.reduce((n, r) => n + r.duplicates, 0)}, errors ${bursts.reduce((n, r) => n + r.errors, 0)}`,
      );
    }
    notes.push(
      'The storm requests come from the bench process itself (not pinned); other work on the machine shows in these figures.',
    );
    return { rows, notes, profiles: [] };
  },
};
