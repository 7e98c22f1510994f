/**
 * @module Authenticated JSON route without a database: `GET
 * /api/users/:id/profile` with a Bearer token on the memory store, against a
 * bare Hono route, a bare node:http route and a bare Express 5 route that
 * serve the very JSON the product answered.
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { withCpu } from '../lib/proc.js';
import {
  api,
  type ProductServer,
  registerUser,
  startBaselineServer,
  startProduct,
} from '../lib/product.js';
import { row, side } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  serverCpu: number;
  loadCpu: number;
}

export const CONNECTIONS = 50;

export const httpScenario: Scenario = {
  id: 'http',
  title: 'Authenticated JSON route (memory store)',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const product = await startProduct({ name: 'product (memory)' });
    const servers: ProductServer[] = [product];
    const load = await ctx.loadWorker();
    try {
      const user = await registerUser(product.url);
      const path = `/api/users/${user.userId}/profile`;
      const answer = await api(product.url, 'GET', path, undefined, user.token);
      if (answer.status !== 200) throw new Error(`profile answered ${answer.status}`);
      const env = { BENCH_BODY: JSON.stringify(answer.body) };
      const hono = await startBaselineServer('bench/baselines/hono.ts', 'bare Hono', env);
      const nodeHttp = await startBaselineServer(
        'bench/baselines/node-http.ts',
        'bare node:http',
        env,
      );
      const express = await startBaselineServer(
        'bench/baselines/express.ts',
        'bare Express 5',
        env,
      );
      servers.push(hono, nodeHttp, express);

      const headers = { authorization: `Bearer ${user.token}` };
      const measure = async (server: ProductServer, seconds: number): Promise<Run> => {
        const { result, cpu } = await withCpu([server.pid, load.pid], () =>
          load.call<Omit<Run, 'serverCpu' | 'loadCpu'>>('autocannon', {
            url: `${server.url}${path}`,
            connections: CONNECTIONS,
            durationSec: seconds,
            headers,
          }),
        );
        return { ...result, serverCpu: cpu[0]!, loadCpu: cpu[1]! };
      };
      ctx.log('http: warm-up');
      for (const server of servers) await measure(server, settings.warmupSec);
      ctx.log(`http: ${settings.rounds} rounds × 4 systems × ${settings.seconds} s`);
      const [p, h, n, e] = await alternate(
        settings.rounds,
        servers.map((server) => () => measure(server, settings.seconds)),
      );
      const sideOf = (label: string, runs: Run[]) =>
        side(
          label,
          'req/s',
          runs.map((r) => r.rps),
          { p50: runs.map((r) => r.p50), p99: runs.map((r) => r.p99) },
        );
      const cpuNote = (label: string, runs: Run[]) =>
        `${label}: server CPU ${round(median(runs.map((r) => r.serverCpu)) * 100, 0)} %, load generator CPU ${round(median(runs.map((r) => r.loadCpu)) * 100, 0)} % of one core; errors ${runs.reduce((a, r) => a + r.errors + r.non2xx, 0)}`;
      const base = {
        scenario: 'http',
        title: 'authenticated JSON route (memory store)',
      };
      const rows = [
        row({
          ...base,
          metric: `throughput vs bare Hono (${CONNECTIONS} connections)`,
          product: sideOf('product', p!),
          baseline: sideOf('bare Hono', h!),
          target: { op: '>=', value: 0.8, text: '≥ 0.80' },
        }),
        row({
          ...base,
          metric: 'p99 latency vs bare Hono',
          product: side(
            'product',
            'ms',
            p!.map((r) => r.p99),
          ),
          baseline: side(
            'bare Hono',
            'ms',
            h!.map((r) => r.p99),
          ),
          target: { op: '<=', value: 1.5, text: '≤ 1.5×' },
        }),
        row({
          ...base,
          metric: 'throughput vs bare Express 5',
          product: sideOf('product', p!),
          baseline: sideOf('bare Express 5', e!),
          target: { op: '>=', value: 1.5, text: '≥ 1.5×' },
        }),
        row({
          ...base,
          metric: 'throughput vs bare node:http (information)',
          product: sideOf('product', p!),
          baseline: sideOf('bare node:http', n!),
          target: null,
        }),
      ];
      const notes = [
        cpuNote('product', p!),
        cpuNote('bare Hono', h!),
        cpuNote('bare node:http', n!),
        cpuNote('bare Express 5', e!),
        'The baselines answer without a token check or a store; the product verifies the HS256 token (jose), reads the user (memory store), runs its middleware (request id, security headers, metrics, access log at silent level) and serializes the profile.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('http: profiling the product');
        const summary = await ctx.profileProduct(
          { name: 'product (profiled)' },
          async (server, begin) => {
            const u = await registerUser(server.url);
            const job = (durationSec: number) => ({
              url: `${server.url}/api/users/${u.userId}/profile`,
              connections: CONNECTIONS,
              durationSec,
              headers: { authorization: `Bearer ${u.token}` },
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
      await load.stop();
      await Promise.all(servers.map((s) => s.stop()));
    }
  },
};
