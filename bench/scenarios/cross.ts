/**
 * @module Cross-instance relay: two product instances sharing MongoDB and
 * Redis (`REDIS_URL`); `ice-candidate` latency from a caller on instance A to
 * a callee on instance B, minus the same latency with both on A, against
 * 2 × a Redis PING round trip + 50 µs, all measured in the same rounds.
 * Needs the Redis backplane (push and signaling across instances): a probe
 * call from A to B must ring first, else the scenario reports "not measured".
 * For information, the same rounds time the same delta for two bare `ws`
 * relays joined by Redis pub/sub (baselines/ws-relay.ts with REDIS_URL),
 * pinned like the instances: the floor of the delta on this machine.
 */
import { spawn } from 'node:child_process';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { freePort, type Proc, spawnPinned } from '../lib/proc.js';
import { api, registerUsers, startBaselineServer, startProduct } from '../lib/product.js';
import type { ProfileSummary } from '../lib/profile.js';
import { notMeasured, row, side, sideOfRuns } from '../lib/report.js';

const PAIRS = 4;
const RATE = 150;
const TARGET = { op: '<=' as const, value: 1, text: '≤ 2 × Redis PING p50 + 50 µs' };
const BASE = {
  scenario: 'cross',
  title: 'cross-instance relay (Redis backplane)',
  metric:
    'relay p50 cross-instance − same-instance (interleaved in one run), vs 2 × PING p50 (paced like the frames) + 50 µs',
};

interface Lat {
  p50: number;
  p99: number;
  n: number;
  lost?: number;
}

function hasRedisServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function startRedis(): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const proc = spawnPinned(
    [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { name: 'redis-server', role: 'none' },
  );
  const deadline = Date.now() + 10_000;
  while (!proc.output().includes('Ready to accept connections')) {
    if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, proc };
}

export const crossScenario: Scenario = {
  id: 'cross',
  title: 'Cross-instance relay vs same-instance (Redis backplane)',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    if (!(await hasRedisServer())) {
      return {
        rows: [notMeasured({ ...BASE, target: TARGET, why: 'redis-server is not installed' })],
        notes: [],
        profiles: [],
      };
    }
    const mongo = await ctx.mongo();
    const uri = mongo.uri('cross');
    const redis = await startRedis();
    const env = { MONGODB_URI: uri, REDIS_URL: redis.url };
    const a = await startProduct({ name: 'instance A', env });
    const b = await startProduct({ name: 'instance B', env });
    const bareEnv = { REDIS_URL: redis.url };
    const bareA = await startBaselineServer('bench/baselines/ws-relay.ts', 'bare relay A', bareEnv);
    const bareB = await startBaselineServer('bench/baselines/ws-relay.ts', 'bare relay B', bareEnv);
    const load = await ctx.loadWorker();
    try {
      const users = await registerUsers(a.url, PAIRS * 6 + 2);
      const readyz = await api(b.url, 'GET', '/readyz');
      const probe = await load.call<{ rang: boolean; answer: string }>('probeRing', {
        callerUrl: a.url,
        calleeUrl: b.url,
        caller: users[PAIRS * 6]!,
        callee: users[PAIRS * 6 + 1]!,
      });
      const notes = [
        `database: ${mongo.description}; Redis: redis-server (unpinned) at ${redis.url}`,
        `/readyz of instance B: ${JSON.stringify(readyz.body)}; probe call A → B: ${probe.answer}`,
      ];
      if (!probe.rang) {
        return {
          rows: [
            notMeasured({
              ...BASE,
              target: TARGET,
              why: 'the Redis backplane is not usable in this tree: a call from a user on instance A to a user connected only to instance B did not ring (the scenario runs as soon as it does)',
            }),
          ],
          notes,
          profiles: [],
        };
      }
      const pairsOf = (from: number) =>
        Array.from({ length: PAIRS }, (_, i) => ({
          caller: users[from + 2 * i]!,
          callee: users[from + 2 * i + 1]!,
        }));
      // Same-instance pairs on the first server, cross-instance pairs from it to the second.
      const openBoth = async (
        prefix: string,
        mode: 'product' | 'bare',
        first: string,
        second: string,
      ) => {
        await load.call('openPairs', {
          key: `${prefix}same`,
          mode,
          callerUrl: first,
          pairs: pairsOf(0),
        });
        await load.call('openPairs', {
          key: `${prefix}cross`,
          mode,
          callerUrl: first,
          calleeUrl: second,
          pairs: pairsOf(PAIRS * 2),
        });
      };
      await openBoth('', 'product', a.url, b.url);
      await openBoth('bare-', 'bare', bareA.url, bareB.url);
      type Interleaved = Lat & { byKey: Record<string, Lat> };
      // Same-instance and cross-instance frames alternate within one run: both see the same noise.
      const interleaved = (same: string, cross: string) => (seconds: number) => () =>
        load.call<Interleaved>('relayLatencyInterleaved', {
          keys: [same, cross],
          durationSec: seconds,
          rate: RATE * 2,
        });
      const relay = interleaved('same', 'cross');
      const bareRelay = interleaved('bare-same', 'bare-cross');
      // The budget's PING is paced like the frames (one every 1/(2 × RATE) s): a
      // relayed frame finds every process idle, and so does each of these PINGs.
      // Back-to-back PINGs (both processes awake) are reported for information.
      const pacedPing = () =>
        load.call<Lat>('redisPing', {
          url: redis.url,
          count: Math.round(settings.seconds * RATE * 2),
          intervalMs: 1000 / (RATE * 2),
        });
      const backToBackPing = () => load.call<Lat>('redisPing', { url: redis.url, count: 1000 });
      ctx.log('cross: warm-up');
      await relay(settings.warmupSec)();
      await bareRelay(settings.warmupSec)();
      const [runs, pings, backToBack, bareRuns] = await alternate<Lat>(settings.rounds, [
        relay(settings.seconds),
        pacedPing,
        backToBackPing,
        bareRelay(settings.seconds),
      ]);
      const same = (runs as Interleaved[]).map((r) => r.byKey.same!);
      const cross = (runs as Interleaved[]).map((r) => r.byKey.cross!);
      const deltas = cross.map((c, i) => c.p50 - same[i]!.p50);
      const bareDeltas = (bareRuns as Interleaved[]).map(
        (r) => r.byKey['bare-cross']!.p50 - r.byKey['bare-same']!.p50,
      );
      const budgets = pings!.map((p) => 2 * p.p50 + 0.05);
      const backToBackBudgets = backToBack!.map((p) => 2 * p.p50 + 0.05);
      const rows = [
        row({
          ...BASE,
          product: side('cross − same p50', 'ms', deltas),
          baseline: side('2 × PING + 0.05', 'ms', budgets),
          target: TARGET,
          ratios: deltas.map((d, i) => d / budgets[i]!),
        }),
        row({
          scenario: 'cross',
          title: 'cross-instance relay (Redis backplane)',
          metric:
            'the same delta vs 2 × PING p50 + 50 µs with back-to-back PINGs (both processes awake; information)',
          product: side('cross − same p50', 'ms', deltas),
          baseline: side('2 × PING + 0.05', 'ms', backToBackBudgets),
          target: null,
          ratios: deltas.map((d, i) => d / backToBackBudgets[i]!),
        }),
        row({
          scenario: 'cross',
          title: 'cross-instance relay (Redis backplane)',
          metric:
            'the same delta for two bare ws relays joined by Redis pub/sub (SUBSCRIBE per user, PUBLISH to a user elsewhere; pinned like the instances) vs the same budget (information)',
          product: side('bare cross − same p50', 'ms', bareDeltas),
          baseline: side('2 × PING + 0.05', 'ms', budgets),
          target: null,
          ratios: bareDeltas.map((d, i) => d / budgets[i]!),
        }),
        row({
          scenario: 'cross',
          title: 'cross-instance relay (Redis backplane)',
          metric: `relay latency, ${RATE} frames/s each: cross-instance vs same-instance (information)`,
          product: sideOfRuns('cross-instance', 'ms', cross, (r) => r.p50),
          baseline: sideOfRuns('same instance', 'ms', same, (r) => r.p50),
          target: null,
        }),
      ];
      const profiles: ProfileSummary[] = [];
      await load.call('closePairs', { key: 'bare-same' });
      await load.call('closePairs', { key: 'bare-cross' });
      await Promise.all([bareA.stop(), bareB.stop()]);
      if (ctx.shouldProfile(rows.slice(0, 1))) {
        ctx.log('cross: profiling both instances under the cross-instance relay');
        await load.call('closePairs', { key: 'same' });
        await load.call('closePairs', { key: 'cross' });
        await Promise.all([a.stop(), b.stop()]);
        let calleeSide: ProfileSummary | null = null;
        const callerSide = await ctx.profileProduct(
          { name: 'instance A (profiled)', env },
          async (serverA, beginA) => {
            calleeSide = await ctx.profileProduct(
              { name: 'instance B (profiled)', env },
              async (serverB, beginB) => {
                await load.call('openPairs', {
                  key: 'prof',
                  mode: 'product',
                  callerUrl: serverA.url,
                  calleeUrl: serverB.url,
                  pairs: pairsOf(PAIRS * 4),
                });
                await load.call('relayLatency', { key: 'prof', durationSec: 1, rate: RATE });
                beginA();
                beginB();
                await load.call('relayLatency', {
                  key: 'prof',
                  durationSec: Math.max(settings.seconds, 3),
                  rate: RATE * 4,
                });
                await load.call('closePairs', { key: 'prof' });
              },
            );
          },
        );
        if (callerSide) profiles.push(callerSide);
        if (calleeSide) profiles.push(calleeSide);
        notes.push(
          `Profiles: instance A (callers) first, then instance B (callees), both taken at ${RATE * 4} frames/s cross-instance so that the samples show the per-frame path.`,
        );
      }
      return { rows, notes, profiles };
    } finally {
      await load.call('closePairs', { key: 'same' }).catch(() => {});
      await load.call('closePairs', { key: 'cross' }).catch(() => {});
      await Promise.all([load.stop(), a.stop(), b.stop(), bareA.stop(), bareB.stop()]);
      await redis.proc.stop();
    }
  },
};
