/**
 * @module Where the authenticated JSON route's time goes (information): the
 * `http` scenario's route rebuilt from the product's own modules one piece at
 * a time (bench/baselines/product-steps.ts), from a bare Hono route to the
 * whole app, then the product server itself; each measured like `http`
 * (autocannon, the same connections, alternating rounds), each step's
 * throughput and server CPU per request compared with the step before it in
 * the same round.
 */
import { STEP_NOTES, STEPS, type Step } from '../baselines/product-steps-list.js';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { withCpu } from '../lib/proc.js';
import {
  api,
  BENCH_JWT_SECRET,
  type ProductServer,
  registerUser,
  startBaselineServer,
  startProduct,
} from '../lib/product.js';
import { row, sideOfRuns } from '../lib/report.js';
import { median, round } from '../lib/stats.js';
import { CONNECTIONS, profilePath } from './http.js';

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  serverCpu: number;
}

interface System {
  readonly name: string;
  readonly server: ProductServer;
  readonly userId: string;
  readonly token: string;
}

export const anatomyScenario: Scenario = {
  id: 'anatomy',
  title: 'Authenticated JSON route, piece by piece (memory store)',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const systems: System[] = [];
    const load = await ctx.loadWorker();
    try {
      for (const step of STEPS) {
        const server = await startBaselineServer(
          'bench/baselines/product-steps.ts',
          `step ${step}`,
          {
            STEP: step,
            NODE_ENV: 'test',
            RATE_LIMITS: 'off',
            LOG_LEVEL: 'silent',
            JWT_SECRET: BENCH_JWT_SECRET,
          },
        );
        const { body } = await api<{ userId: string; token: string }>(
          server.url,
          'GET',
          '/bench/user',
        );
        systems.push({ name: step, server, userId: body.userId, token: body.token });
      }
      const product = await startProduct({ name: 'product (memory)' });
      const productUser = await registerUser(product.url);
      systems.push({ name: 'product', server: product, ...productUser });
      for (const system of systems) {
        const answer = await api(
          system.server.url,
          'GET',
          profilePath(system.userId),
          undefined,
          system.token,
        );
        if (answer.status !== 200) throw new Error(`${system.name} answered ${answer.status}`);
      }
      const measure = async (system: System, seconds: number): Promise<Run> => {
        const { result, cpu } = await withCpu([system.server.pid], () =>
          load.call<Omit<Run, 'serverCpu'>>('autocannon', {
            url: `${system.server.url}${profilePath(system.userId)}`,
            connections: CONNECTIONS,
            durationSec: seconds,
            headers: { authorization: `Bearer ${system.token}` },
          }),
        );
        return { ...result, serverCpu: cpu[0]! };
      };
      ctx.log('anatomy: warm-up');
      for (const system of systems) await measure(system, settings.warmupSec);
      ctx.log(
        `anatomy: ${settings.rounds} rounds × ${systems.length} systems × ${settings.seconds} s`,
      );
      const runs = await alternate(
        settings.rounds,
        systems.map((system) => () => measure(system, settings.seconds)),
      );
      const cpuUs = (r: Run) => (r.serverCpu / r.rps) * 1e6;
      const sideOf = (name: string, rs: Run[]) => sideOfRuns(name, 'req/s', rs, (r) => r.rps);
      const base = { scenario: 'anatomy', title: 'authenticated JSON route, piece by piece' };
      const rows = systems.slice(1).map((system, i) => {
        const previous = systems[i]!;
        return row({
          ...base,
          metric: `throughput: ${system.name} vs ${previous.name} (information)`,
          product: sideOf(system.name, runs[i + 1]!),
          baseline: sideOf(previous.name, runs[i]!),
          target: null,
        });
      });
      const notes = systems.map((system, i) => {
        const own = runs[i]!;
        const us = median(own.map(cpuUs));
        const delta =
          i === 0
            ? ''
            : `, ${round(median(own.map((r, k) => cpuUs(r) - cpuUs(runs[i - 1]![k]!))), 1)} µs more than ${systems[i - 1]!.name} (median of per-round differences)`;
        const errors = own.reduce((a, r) => a + r.errors + r.non2xx, 0);
        return `${system.name}: ${STEP_NOTES[system.name as Step | 'product']}; ${round(us, 1)} µs of server CPU per request${delta}; errors ${errors}`;
      });
      return { rows, notes, profiles: [] };
    } finally {
      await load.stop();
      await Promise.all(systems.map((s) => s.server.stop()));
    }
  },
};
