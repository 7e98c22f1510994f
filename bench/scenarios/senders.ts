/**
 * @module Issue 15's "8 concurrent senders to one user": sends/s of 8 users
 * each sending `POST /api/chat/send` to the same receiver in a closed loop
 * (one request in flight per sender; the receiver has one socket and gets
 * every push), against the same server without its event log.
 *
 * The baseline is bench/baselines/product-without-log.ts: the product's own
 * server, whose log only numbers events (no write) and whose per-user event
 * queue runs tasks at once. Production has no switch to turn the log off,
 * and another receiver per sender would measure something else (no
 * contention on one user's log at all). The comparison runs on the MongoDB
 * store (FerretDB unless MONGODB_URI is set), where each logged event is an
 * insert, and on the memory store for information.
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import type { Worker } from '../lib/proc.js';
import { api, type BenchUser, registerUsers, startProduct } from '../lib/product.js';
import { type Row, row, side } from '../lib/report.js';
import { round } from '../lib/stats.js';

const SENDERS = 8;
const BASELINE_SCRIPT = 'bench/baselines/product-without-log.ts';

interface FanIn {
  perSec: number;
  created: number;
  errors: number;
  lost: number;
  p50: number;
  p99: number;
}

/**
 * Throws unless the product logged the receiver's events and the baseline
 * only numbered them: its log reads back nothing, yet its head (what a
 * `since` beyond the log is answered) counts every event.
 */
async function checkLogs(product: string, baseline: string, receivers: readonly BenchUser[]) {
  const page = async (url: string, who: BenchUser, since: number) =>
    (await api(url, 'GET', `/api/sync?since=${since}&limit=1`, undefined, who.token)).body as {
      events: unknown[];
      seq: number;
      reset: boolean;
    };
  if ((await page(product, receivers[0]!, 0)).events.length === 0) {
    throw new Error('the product logged no event');
  }
  const kept = await page(baseline, receivers[1]!, 0);
  const head = await page(baseline, receivers[1]!, Number.MAX_SAFE_INTEGER);
  if (kept.events.length !== 0 || !head.reset || head.seq === 0) {
    throw new Error('the baseline logged events: its log was not swapped out');
  }
}

async function compare(
  ctx: Ctx,
  load: Worker,
  store: 'mongo' | 'memory',
): Promise<{ row: Row; notes: string[] }> {
  const { settings } = ctx;
  const env = async (which: string): Promise<Record<string, string>> =>
    store === 'mongo' ? { MONGODB_URI: (await ctx.mongo()).uri(which) } : {};
  const product = await startProduct({
    name: `product (${store})`,
    env: await env('senders'),
  });
  const baseline = await startProduct({
    name: `product without the log (${store})`,
    env: await env('senders_nolog'),
    script: BASELINE_SCRIPT,
  }).catch(async (error: unknown) => {
    await product.stop();
    throw error;
  });
  const keys = [`senders-${store}`, `senders-${store}-nolog`] as const;
  try {
    const receivers: BenchUser[] = [];
    for (const [i, server] of [product, baseline].entries()) {
      const users = await registerUsers(server.url, SENDERS + 1);
      receivers.push(users[0]!);
      await load.call('openFanIn', {
        key: keys[i],
        url: server.url,
        receiver: users[0],
        senders: users.slice(1),
      });
      await load.call('fanIn', { key: keys[i], durationSec: settings.warmupSec });
    }
    ctx.log(`senders (${store}): ${settings.rounds} rounds × 2`);
    const measure = (key: string) => () =>
      load.call<FanIn>('fanIn', { key, durationSec: settings.seconds });
    const [p, b] = await alternate(settings.rounds, keys.map(measure));
    await checkLogs(product.url, baseline.url, receivers);
    const problems = (results: readonly FanIn[]) =>
      `${results.reduce((a, r) => a + r.errors, 0)} failed, ${results.reduce((a, r) => a + r.lost, 0)} not pushed`;
    return {
      row: row({
        scenario: 'senders',
        title: `${SENDERS} concurrent senders to one user (${store === 'mongo' ? 'MongoDB' : 'memory store'})`,
        metric: `sends/s (201), ${SENDERS} closed loops, vs the same server without the event log`,
        product: side(
          'with the log',
          'sends/s',
          p!.map((r) => r.perSec),
          {
            p50: p!.map((r) => r.p50),
            p99: p!.map((r) => r.p99),
          },
        ),
        baseline: side(
          'without the log',
          'sends/s',
          b!.map((r) => r.perSec),
          {
            p50: b!.map((r) => r.p50),
            p99: b!.map((r) => r.p99),
          },
        ),
        target: null,
      }),
      notes: [
        `${store}: with the log ${problems(p!)}; without ${problems(b!)}; send p50 ${round(p![0]!.p50, 2)} / ${round(b![0]!.p50, 2)} ms in round 1`,
      ],
    };
  } finally {
    for (const key of keys) await load.call('closeFanIn', { key }).catch(() => {});
    await Promise.all([product.stop(), baseline.stop()]);
  }
}

export const sendersScenario: Scenario = {
  id: 'senders',
  title: '8 concurrent senders to one user: sends/s with vs without the event log',
  async run(ctx: Ctx) {
    const load = await ctx.loadWorker();
    try {
      const mongo = await compare(ctx, load, 'mongo');
      const memory = await compare(ctx, load, 'memory');
      return {
        rows: [mongo.row, memory.row],
        notes: [
          `database: ${(await ctx.mongo()).description}`,
          ...mongo.notes,
          ...memory.notes,
          "Without the log = the product's own server (bench/baselines/product-without-log.ts) with the log reduced to a per-user counter (no write) and the per-user event queue running tasks at once; checked after the rounds (its GET /api/sync reads back nothing, yet its head counted every event). A send with the log writes two events (the receiver's and the sender's) and appends to the one receiver's log one at a time.",
        ],
        profiles: [],
      };
    } finally {
      await load.stop();
    }
  },
};
