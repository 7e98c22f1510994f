/**
 * @module Authenticated JSON route without a database: `GET
 * /api/users/:id/profile` with a Bearer token on the memory store, against a
 * bare Hono route, a bare node:http route and a bare Express 5 route that
 * serve the very JSON the product answered (and, for information, bare Hono
 * also sending the product's answer headers); and, as users run it, the product
 * at `LOG_LEVEL=info` (one access-log line per request, stdout to /dev/null)
 * against the peer a user would pick instead: the same route written
 * idiomatically on Fastify 5 (`@fastify/jwt`, its logger on, to /dev/null).
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { withCpu } from '../lib/proc.js';
import {
  api,
  BENCH_JWT_SECRET,
  type BenchUser,
  type ProductServer,
  registerUser,
  startBaselineServer,
  startProduct,
} from '../lib/product.js';
import { floorOf, row, side, sideOfRuns } from '../lib/report.js';
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

export const profilePath = (userId: string) => `/api/users/${userId}/profile`;

export const httpScenario: Scenario = {
  id: 'http',
  title: 'Authenticated JSON route (memory store)',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const product = await startProduct({ name: 'product (memory)' });
    const servers: ProductServer[] = [product];
    const logging = await startProduct({
      name: 'product (memory, LOG_LEVEL=info)',
      env: { LOG_LEVEL: 'info' },
      discardStdout: true,
    });
    servers.push(logging);
    const load = await ctx.loadWorker();
    try {
      const user = await registerUser(product.url);
      const answer = await api(product.url, 'GET', profilePath(user.userId), undefined, user.token);
      if (answer.status !== 200) throw new Error(`profile answered ${answer.status}`);
      const env = { BENCH_BODY: JSON.stringify(answer.body) };
      const hono = await startBaselineServer('bench/baselines/hono.ts', 'bare Hono', env);
      const nodeHttp = await startBaselineServer(
        'bench/baselines/node-http.ts',
        'bare node:http',
        env,
      );
      const honoHeaders = await startBaselineServer(
        'bench/baselines/hono-headers.ts',
        'bare Hono with the product headers',
        env,
      );
      const express = await startBaselineServer(
        'bench/baselines/express.ts',
        'bare Express 5',
        env,
      );
      // The logging product gets its own user: each server has its own memory store.
      const loggingUser = await registerUser(logging.url);
      const fastify = await startBaselineServer(
        'bench/baselines/fastify.ts',
        'Fastify 5 (JWT, logger on)',
        {
          BENCH_BODY: JSON.stringify(
            (
              await api(
                logging.url,
                'GET',
                profilePath(loggingUser.userId),
                undefined,
                loggingUser.token,
              )
            ).body,
          ),
          BENCH_JWT_SECRET,
          BENCH_USER_ID: loggingUser.userId,
          BENCH_SESSION_ID: loggingUser.sessionId,
        },
        { discardStdout: true },
      );
      servers.push(hono, nodeHttp, express, fastify, honoHeaders);
      const tokenOf = new Map<ProductServer, BenchUser>([
        [logging, loggingUser],
        [fastify, loggingUser],
      ]);
      for (const server of [logging, fastify]) {
        const answer = await api(
          server.url,
          'GET',
          profilePath(loggingUser.userId),
          undefined,
          loggingUser.token,
        );
        if (answer.status !== 200) throw new Error(`${server.proc.name} answered ${answer.status}`);
      }
      const measure = async (server: ProductServer, seconds: number): Promise<Run> => {
        const who = tokenOf.get(server) ?? user;
        const { result, cpu } = await withCpu([server.pid, load.pid], () =>
          load.call<Omit<Run, 'serverCpu' | 'loadCpu'>>('autocannon', {
            url: `${server.url}${profilePath(who.userId)}`,
            connections: CONNECTIONS,
            durationSec: seconds,
            headers: { authorization: `Bearer ${who.token}` },
          }),
        );
        return { ...result, serverCpu: cpu[0]!, loadCpu: cpu[1]! };
      };
      ctx.log('http: warm-up');
      for (const server of servers) await measure(server, settings.warmupSec);
      ctx.log(
        `http: ${settings.rounds} rounds × ${servers.length} systems × ${settings.seconds} s`,
      );
      const [p, i, h, n, e, f, hh] = await alternate(
        settings.rounds,
        servers.map((server) => () => measure(server, settings.seconds)),
      );
      const sideOf = (label: string, runs: Run[]) => sideOfRuns(label, 'req/s', runs, (r) => r.rps);
      // Server CPU per answer: what each system spends on one request, whatever the load generator managed.
      const cpuPerRequest = (runs: Run[]) => median(runs.map((r) => (r.serverCpu / r.rps) * 1e6));
      const cpuNote = (label: string, runs: Run[]) =>
        `${label}: server CPU ${round(median(runs.map((r) => r.serverCpu)) * 100, 0)} %, ${round(cpuPerRequest(runs), 1)} µs of server CPU per request, load generator CPU ${round(median(runs.map((r) => r.loadCpu)) * 100, 0)} % of one core; errors ${runs.reduce((a, r) => a + r.errors + r.non2xx, 0)}`;
      const base = {
        scenario: 'http',
        title: 'authenticated JSON route (memory store)',
      };
      // The floor of every row: a Hono route sending the answer headers docs/API.md promises
      // on every answer, with no token check, no store, no metrics and no log.
      const HEADERS_FLOOR = 'bare Hono + the answer headers';
      const headersFloor = sideOf('bare Hono + headers', hh!);
      const rows = [
        row({
          ...base,
          metric: `throughput vs bare Hono (${CONNECTIONS} connections)`,
          product: sideOf('product', p!),
          baseline: sideOf('bare Hono', h!),
          target: { op: '>=', value: 0.8, text: '≥ 0.80' },
          floor: floorOf(HEADERS_FLOOR, headersFloor, sideOf('bare Hono', h!)),
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
          floor: {
            label: HEADERS_FLOOR,
            ratios: hh!.map((r, n) => r.p99 / h![n]!.p99),
          },
        }),
        row({
          ...base,
          metric: 'throughput vs bare Express 5',
          product: sideOf('product', p!),
          baseline: sideOf('bare Express 5', e!),
          target: { op: '>=', value: 1.5, text: '≥ 1.5×' },
          floor: floorOf(HEADERS_FLOOR, headersFloor, sideOf('bare Express 5', e!)),
        }),
        row({
          ...base,
          metric: 'with LOG_LEVEL=info: throughput vs Fastify 5 (JWT plugin, logger on)',
          product: sideOf('product (info)', i!),
          baseline: sideOf('Fastify 5', f!),
          target: { op: '>=', value: 1, text: '≥ 1.0 (ahead)' },
        }),
        row({
          ...base,
          metric: 'with LOG_LEVEL=info: throughput vs bare Hono',
          product: sideOf('product (info)', i!),
          baseline: sideOf('bare Hono', h!),
          target: { op: '>=', value: 0.8, text: '≥ 0.80' },
          floor: floorOf(HEADERS_FLOOR, headersFloor, sideOf('bare Hono', h!)),
        }),
        row({
          ...base,
          metric: 'throughput vs bare node:http (information)',
          product: sideOf('product', p!),
          baseline: sideOf('bare node:http', n!),
          target: null,
        }),
        row({
          ...base,
          metric: 'throughput vs bare Hono sending the same answer headers (information)',
          product: sideOf('product', p!),
          baseline: sideOf('bare Hono + headers', hh!),
          target: null,
        }),
      ];
      const notes = [
        cpuNote('product', p!),
        cpuNote('bare Hono', h!),
        cpuNote('bare node:http', n!),
        cpuNote('bare Express 5', e!),
        cpuNote('product (LOG_LEVEL=info)', i!),
        cpuNote('Fastify 5', f!),
        cpuNote('bare Hono with the product headers', hh!),
        'Bare Hono with the product headers sets the answer headers the product sends (X-Request-Id, the 12 security headers, Cache-Control: no-store) with c.header, as a Hono app would; the product writes them as one precomputed block.',
        "At LOG_LEVEL=info the product writes one JSON access-log line per request, batched; Fastify, as it comes, two (incoming request, request completed), each written at once (pino's default destination); both to stdout, which goes to /dev/null. Fastify verifies the same HS256 token with @fastify/jwt (fast-jwt, no cache), looks the user and its session up in Maps and serializes with a response schema.",
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
