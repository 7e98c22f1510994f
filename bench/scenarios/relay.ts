/**
 * @module Signaling relay throughput: callers in accepted calls stream
 * `ice-candidate` frames to their callees (each keeping a window of frames in
 * flight), against the bare `ws` relay with the same pairs, frames and window.
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { withCpu } from '../lib/proc.js';
import { registerUsers, startBaselineServer, startProduct } from '../lib/product.js';
import { row, side } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

const PAIRS = 20;
const WINDOW = 16;

interface Thru {
  framesPerSec: number;
  frames: number;
  cpu: number;
  loadCpu: number;
}

export const relayScenario: Scenario = {
  id: 'relay',
  title: 'Signaling relay throughput vs bare ws relay',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const product = await startProduct({ name: 'product (memory)' });
    const relay = await startBaselineServer('bench/baselines/ws-relay.ts', 'bare ws relay');
    const load = await ctx.loadWorker();
    try {
      const users = await registerUsers(product.url, PAIRS * 2);
      const pairs = Array.from({ length: PAIRS }, (_, i) => ({
        caller: users[2 * i]!,
        callee: users[2 * i + 1]!,
      }));
      await load.call('openPairs', {
        key: 'product',
        mode: 'product',
        callerUrl: product.url,
        pairs,
      });
      await load.call('openPairs', { key: 'bare', mode: 'bare', callerUrl: relay.url, pairs });
      const measure = (key: string, pid: number, seconds: number) => async (): Promise<Thru> => {
        const { result, cpu } = await withCpu([pid, load.pid], () =>
          load.call<{ framesPerSec: number; frames: number }>('relayThroughput', {
            key,
            durationSec: seconds,
            window: WINDOW,
          }),
        );
        return { ...result, cpu: cpu[0]!, loadCpu: cpu[1]! };
      };
      ctx.log('relay: warm-up');
      await measure('product', product.pid, settings.warmupSec)();
      await measure('bare', relay.pid, settings.warmupSec)();
      const [p, b] = await alternate(settings.rounds, [
        measure('product', product.pid, settings.seconds),
        measure('bare', relay.pid, settings.seconds),
      ]);
      const rows = [
        row({
          scenario: 'relay',
          title: 'signaling relay (ice-candidate)',
          metric: `throughput vs bare ws relay (${PAIRS} calls, ${WINDOW} frames in flight each)`,
          product: side(
            'product',
            'frames/s',
            p!.map((r) => r.framesPerSec),
          ),
          baseline: side(
            'bare ws relay',
            'frames/s',
            b!.map((r) => r.framesPerSec),
          ),
          target: { op: '>=', value: 0.7, text: '≥ 0.70' },
        }),
      ];
      const cpu = (runs: Thru[]) => round(median(runs.map((r) => r.cpu)) * 100, 0);
      const loadCpu = (runs: Thru[]) => round(median(runs.map((r) => r.loadCpu)) * 100, 0);
      const notes = [
        `server CPU: product ${cpu(p!)} %, bare relay ${cpu(b!)} % of one core; load generator CPU ${loadCpu(p!)} % / ${loadCpu(b!)} %`,
        'The product validates each frame (valibot), runs it through the per-connection and per-call queues, reads the live call state and relays to the other party; the relay parses, looks up and sends.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('relay: profiling the product');
        const summary = await ctx.profileProduct(
          { name: 'product (profiled)' },
          async (server, begin) => {
            const more = await registerUsers(server.url, PAIRS * 2);
            const morePairs = Array.from({ length: PAIRS }, (_, i) => ({
              caller: more[2 * i]!,
              callee: more[2 * i + 1]!,
            }));
            await load.call('openPairs', {
              key: 'prof',
              mode: 'product',
              callerUrl: server.url,
              pairs: morePairs,
            });
            await load.call('relayThroughput', { key: 'prof', durationSec: 1, window: WINDOW });
            begin();
            await load.call('relayThroughput', {
              key: 'prof',
              durationSec: Math.max(settings.seconds, 3),
              window: WINDOW,
            });
            await load.call('closePairs', { key: 'prof' });
          },
        );
        if (summary) profiles.push(summary);
      }
      return { rows, notes, profiles };
    } finally {
      await load.call('closePairs', { key: 'product' }).catch(() => {});
      await load.call('closePairs', { key: 'bare' }).catch(() => {});
      await Promise.all([load.stop(), product.stop(), relay.stop()]);
    }
  },
};
