/**
 * @module Message push latency: `POST /api/chat/send` → `new-message` on the
 * receiver's socket, measured in the load process (one clock), at 20 % of the
 * product's own send capacity (measured first in the same run), against a bare
 * `ws` relay carrying a frame of the same size from sender socket to receiver
 * socket at the same rate. The product is measured twice: at
 * `LOG_LEVEL=silent`, and as deployments run it, at `info` (one access-log
 * line per send, stdout to /dev/null).
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { registerUsers, startBaselineServer, startProduct } from '../lib/product.js';
import { row, side } from '../lib/report.js';
import { round } from '../lib/stats.js';

const PAIRS = 8;

interface Pushed {
  sent: number;
  perSec: number;
  lost: number;
  errors: number;
  p50: number;
  p99: number;
  n: number;
}

export const pushScenario: Scenario = {
  id: 'push',
  title: 'Message push latency at 20 % load vs bare ws relay',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    let product = await startProduct({ name: 'product (memory)' });
    const relay = await startBaselineServer('bench/baselines/ws-relay.ts', 'bare ws relay');
    const load = await ctx.loadWorker();
    try {
      const users = await registerUsers(product.url, PAIRS * 2);
      const pairs = Array.from({ length: PAIRS }, (_, i) => ({
        sender: users[2 * i]!,
        receiver: users[2 * i + 1]!,
      }));
      await load.call('openPush', { key: 'product', mode: 'product', url: product.url, pairs });
      await load.call('openPush', { key: 'bare', mode: 'bare', url: relay.url, pairs });

      ctx.log('push: measuring the product send capacity (closed loop, 32 in flight)');
      await load.call('push', {
        key: 'product',
        durationSec: settings.warmupSec,
        rate: 0,
        concurrency: 32,
      });
      const capacity = await load.call<Pushed>('push', {
        key: 'product',
        durationSec: settings.seconds,
        rate: 0,
        concurrency: 32,
      });
      const rate = Math.max(10, Math.round(capacity.perSec * 0.2));
      ctx.log(`push: capacity ${Math.round(capacity.perSec)} msg/s → ${rate} msg/s (20 %)`);
      await load.call('push', { key: 'bare', durationSec: settings.warmupSec, rate });

      // The memory store keeps every message in the JS heap, and a bigger heap means longer
      // GC pauses: each product round gets a fresh server (users and sockets set up anew,
      // warmed up), so every round carries the same small store.
      const logging = { env: { LOG_LEVEL: 'info' }, discardStdout: true } as const;
      const freshProduct = async (key: string, info: boolean) => {
        await load.call('closePush', { key });
        await product.stop();
        product = await startProduct({
          name: info ? 'product (memory, LOG_LEVEL=info)' : 'product (memory)',
          ...(info ? logging : {}),
        });
        const fresh = await registerUsers(product.url, PAIRS * 2);
        const freshPairs = Array.from({ length: PAIRS }, (_, i) => ({
          sender: fresh[2 * i]!,
          receiver: fresh[2 * i + 1]!,
        }));
        await load.call('openPush', { key, mode: 'product', url: product.url, pairs: freshPairs });
        await load.call('push', { key, durationSec: settings.warmupSec, rate });
      };
      const measureProduct = (key: string, info: boolean) => async () => {
        await freshProduct(key, info);
        const result = await load.call<Pushed>('push', {
          key,
          durationSec: settings.seconds,
          rate,
        });
        await load.call('closePush', { key });
        return result;
      };
      const measureBare = () =>
        load.call<Pushed>('push', { key: 'bare', durationSec: settings.seconds, rate });
      await load.call('closePush', { key: 'product' });
      const [p, b, i] = await alternate(settings.rounds, [
        measureProduct('product', false),
        measureBare,
        measureProduct('product-info', true),
      ]);
      const rows = [
        row({
          scenario: 'push',
          title: 'message push latency (HTTP send → receiver socket)',
          metric: `p99 at 20 % load (${rate} msg/s) vs bare ws relay p99`,
          product: side(
            'product',
            'ms',
            p!.map((r) => r.p99),
            {
              p50: p!.map((r) => r.p50),
              p99: p!.map((r) => r.p99),
            },
          ),
          baseline: side(
            'bare ws relay',
            'ms',
            b!.map((r) => r.p99),
            {
              p50: b!.map((r) => r.p50),
              p99: b!.map((r) => r.p99),
            },
          ),
          target: { op: '<=', value: 1.5, text: '≤ 1.5×' },
        }),
        row({
          scenario: 'push',
          title: 'message push latency (HTTP send → receiver socket)',
          metric: `with LOG_LEVEL=info: p99 at ${rate} msg/s vs bare ws relay p99`,
          product: side(
            'product (info)',
            'ms',
            i!.map((r) => r.p99),
            { p50: i!.map((r) => r.p50), p99: i!.map((r) => r.p99) },
          ),
          baseline: side(
            'bare ws relay',
            'ms',
            b!.map((r) => r.p99),
            { p50: b!.map((r) => r.p50), p99: b!.map((r) => r.p99) },
          ),
          target: { op: '<=', value: 1.5, text: '≤ 1.5×' },
        }),
      ];
      const notes = [
        `product send capacity (closed loop, 32 in flight, ${PAIRS} sender/receiver pairs): ${Math.round(capacity.perSec)} msg/s, p50 ${round(capacity.p50, 2)} ms / p99 ${round(capacity.p99, 2)} ms`,
        `lost or failed: product ${p!.reduce((a, r) => a + r.lost + r.errors, 0)}, product at info ${i!.reduce((a, r) => a + r.lost + r.errors, 0)}, relay ${b!.reduce((a, r) => a + r.lost, 0)}`,
        'Both sides run at the same absolute rate (20 % of the product capacity); each product round starts a fresh server (the memory store keeps every message in the heap). The product path is an HTTP request (token check, validation, store write, conversation update) and then the push; the relay path is one socket frame in and one out.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('push: profiling the product');
        const summary = await ctx.profileProduct(
          { name: 'product (profiled)' },
          async (server, begin) => {
            const more = await registerUsers(server.url, PAIRS * 2);
            const morePairs = Array.from({ length: PAIRS }, (_, i) => ({
              sender: more[2 * i]!,
              receiver: more[2 * i + 1]!,
            }));
            await load.call('openPush', {
              key: 'prof',
              mode: 'product',
              url: server.url,
              pairs: morePairs,
            });
            await load.call('push', { key: 'prof', durationSec: 1, rate });
            begin();
            await load.call('push', {
              key: 'prof',
              durationSec: Math.max(settings.seconds, 3),
              rate,
            });
            await load.call('closePush', { key: 'prof' });
          },
        );
        if (summary) profiles.push(summary);
      }
      return { rows, notes, profiles };
    } finally {
      await load.call('closePush', { key: 'product' }).catch(() => {});
      await load.call('closePush', { key: 'bare' }).catch(() => {});
      await Promise.all([load.stop(), product.stop(), relay.stop()]);
    }
  },
};
