/**
 * @module The same authenticated profile route with the MongoDB store
 * (FerretDB unless MONGODB_URI is set), against a driver-only loop of
 * `findOne({ _id })` on the same users collection at the same concurrency;
 * and, for information, a bare Hono route doing that read through the
 * product's store (bench/baselines/product-steps.ts, `STEP=read`): the floor
 * of any HTTP route that answers from one `findOne`.
 */
import { READ_STEP } from '../baselines/product-steps-list.js';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { withCpu } from '../lib/proc.js';
import {
  api,
  BENCH_JWT_SECRET,
  registerUser,
  startBaselineServer,
  startProduct,
} from '../lib/product.js';
import { floorOf, row, sideOfRuns } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

const CONCURRENCY = 32;

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** Share of one core used by the process under test (server or driver loop). */
  cpu: number;
  /** CPU microseconds per request of each process taking part (NaN when not counted). */
  us: { own: number; db: number; load: number };
  errors?: number;
}

const perRequest = (share: number, rps: number) => (share / rps) * 1e6;

export const dbScenario: Scenario = {
  id: 'db',
  title: 'Authenticated route on MongoDB vs driver findOne loop',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const mongo = await ctx.mongo();
    const uri = mongo.uri('db');
    // -1 reads as NaN: a database this run did not start is not counted.
    const dbPid = mongo.pid ?? -1;
    const product = await startProduct({ name: 'product (mongo)', env: { MONGODB_URI: uri } });
    const load = await ctx.loadWorker();
    const driver = await ctx.serverWorker('baselines/db-worker.ts', 'driver findOne loop');
    const floor = await startBaselineServer(
      'bench/baselines/product-steps.ts',
      'bare Hono route reading through the product store',
      {
        STEP: READ_STEP,
        NODE_ENV: 'test',
        RATE_LIMITS: 'off',
        LOG_LEVEL: 'silent',
        JWT_SECRET: BENCH_JWT_SECRET,
        MONGODB_URI: uri,
      },
    );
    try {
      const user = await registerUser(product.url);
      const url = `${product.url}/api/users/${user.userId}/profile`;
      const headers = { authorization: `Bearer ${user.token}` };
      const floorUrl = `${floor.url}/api/users/${user.userId}/profile`;
      const floorAnswer = await api(floor.url, 'GET', `/api/users/${user.userId}/profile`);
      if (floorAnswer.status !== 200) throw new Error(`bare read route: ${floorAnswer.status}`);
      const measureHttp = async (pid: number, target: string, seconds: number): Promise<Run> => {
        const { result, cpu } = await withCpu([pid, dbPid, load.pid], () =>
          load.call<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }>(
            'autocannon',
            { url: target, connections: CONCURRENCY, durationSec: seconds, headers },
          ),
        );
        const [own, db, gen] = cpu.map((share) => perRequest(share, result.rps));
        return {
          ...result,
          errors: result.errors + result.non2xx,
          cpu: cpu[0]!,
          us: { own: own!, db: db!, load: gen! },
        };
      };
      const measureDriver = async (seconds: number): Promise<Run> => {
        const { result, cpu } = await withCpu([driver.pid, dbPid], () =>
          driver.call<{ perSec: number; p50: number; p99: number }>('findOneLoop', {
            uri,
            id: user.userId,
            concurrency: CONCURRENCY,
            durationSec: seconds,
          }),
        );
        const [own, db] = cpu.map((share) => perRequest(share, result.perSec));
        return {
          rps: result.perSec,
          p50: result.p50,
          p99: result.p99,
          cpu: cpu[0]!,
          us: { own: own!, db: db!, load: 0 },
        };
      };
      const measureProduct = (seconds: number) => measureHttp(product.pid, url, seconds);
      const measureFloor = (seconds: number) => measureHttp(floor.pid, floorUrl, seconds);
      ctx.log('db: warm-up');
      await measureProduct(settings.warmupSec);
      await measureDriver(settings.warmupSec);
      await measureFloor(settings.warmupSec);
      ctx.log(`db: ${settings.rounds} rounds × 3 × ${settings.seconds} s`);
      const [p, d, f] = await alternate(settings.rounds, [
        () => measureProduct(settings.seconds),
        () => measureDriver(settings.seconds),
        () => measureFloor(settings.seconds),
      ]);
      const rps = (r: Run) => r.rps;
      // Each side appears in two rows: built once.
      const productSide = sideOfRuns('product', 'req/s', p!, rps);
      const loopSide = sideOfRuns('findOne loop', 'ops/s', d!, rps);
      const floorSide = sideOfRuns('bare Hono read route', 'req/s', f!, rps);
      const base = { scenario: 'db', title: 'authenticated route on MongoDB' };
      const rows = [
        row({
          ...base,
          metric: `throughput vs driver-only findOne loop (${CONCURRENCY} concurrent)`,
          product: productSide,
          baseline: loopSide,
          target: { op: '>=', value: 0.8, text: '≥ 0.80' },
          // Any HTTP route doing the read pays for the HTTP request the loop does not make.
          floor: floorOf('bare Hono read route', floorSide, loopSide),
        }),
        row({
          ...base,
          metric:
            'bare Hono route doing the same read (no token, no middleware) vs the findOne loop (information)',
          product: floorSide,
          baseline: loopSide,
          target: null,
        }),
        row({
          ...base,
          metric: 'product vs the bare Hono route doing the same read (information)',
          product: productSide,
          baseline: floorSide,
          target: null,
        }),
      ];
      const cpu = (runs: Run[]) => round(median(runs.map((r) => r.cpu)) * 100, 0);
      const us = (runs: Run[], pick: (u: Run['us']) => number) =>
        round(median(runs.map((r) => pick(r.us))), 0);
      const all = (u: Run['us']) => u.own + (mongo.pid === null ? 0 : u.db) + u.load;
      const dbUs = (runs: Run[]) =>
        mongo.pid === null ? 'database not counted' : `database ${us(runs, (u) => u.db)}`;
      const notes = [
        `database: ${mongo.description}`,
        `product process CPU ${cpu(p!)} %, driver-loop process CPU ${cpu(d!)} % of one core; product errors ${p!.reduce((a, r) => a + (r.errors ?? 0), 0)}`,
        // FerretDB is not pinned and other work may share the cores: where the machine's CPU is
        // the limit, throughput follows the CPU all processes of a half spend per request.
        `CPU µs per request (median of rounds): product half: server ${us(p!, (u) => u.own)}, ${dbUs(p!)}, load generator ${us(p!, (u) => u.load)}, all ${us(p!, all)}; baseline half: driver loop ${us(d!, (u) => u.own)}, ${dbUs(d!)}, all ${us(d!, all)}; bare Hono read route: server ${us(f!, (u) => u.own)}, ${dbUs(f!)}, load generator ${us(f!, (u) => u.load)}, all ${us(f!, all)}`,
        ...(mongo.pid === null
          ? []
          : [
              // The baseline has no client process; the product's load generator shares the
              // cores with the database. Information only: the target is the throughput ratio.
              `CPU per request, baseline half ÷ product half without the load generator (median of rounds): ${round(
                median(p!.map((r, i) => (d![i]!.us.own + d![i]!.us.db) / (r.us.own + r.us.db))),
                2,
              )}`,
            ]),
        'The product reads through the same driver call as the baseline (`findOne({ _id })`, no command monitoring, default pool); beyond it per request: the id check, the repository error wrapper and the mapping to a User (about 1 µs together), and socketTimeoutMS (10 s) arming a timer per operation (about 0.2 µs).',
        'Per request the product reads the user (requireAuth → authenticate: users.findById; a user asking for their own profile is answered from that read); its session comes from the live-session cache (SESSION_CACHE_MS, default 3 s, dropped when the session ends), so after the first request of each period one findOne per request, like the baseline.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('db: profiling the product');
        const summary = await ctx.profileProduct(
          { name: 'product (mongo, profiled)', env: { MONGODB_URI: uri } },
          async (server, begin) => {
            const job = (durationSec: number) => ({
              url: `${server.url}/api/users/${user.userId}/profile`,
              connections: CONCURRENCY,
              durationSec,
              headers,
            });
            await load.call('autocannon', job(1));
            begin();
            await load.call('autocannon', job(Math.max(settings.seconds, 3)));
          },
        );
        if (summary) profiles.push(summary);
      }
      return { rows, notes, profiles };
    } finally {
      await driver.call('close').catch(() => {});
      await Promise.all([load.stop(), driver.stop(), product.stop(), floor.stop()]);
    }
  },
};
