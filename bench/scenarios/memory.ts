/**
 * @module Memory per idle authenticated WebSocket: RSS of the server process
 * before and after opening N sockets (20 000, or as many as the open-file
 * hard limit allows), from two load processes cycling through several
 * 127.0.0.x source addresses, against the bare `ws` server keeping its sockets
 * in a Map. Each round starts fresh server processes.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { diffHeaps, heapMarkdown } from '../lib/heap.js';
import { fdHardLimit, rssBytes, type Worker } from '../lib/proc.js';
import {
  type BenchUser,
  type ProductServer,
  registerUsers,
  startBaselineServer,
  startProduct,
} from '../lib/product.js';
import { row, side } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

const WANTED = 20_000;
const LOCAL_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const KIB8 = 8 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settledRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(500);
    samples.push(rssBytes(pid));
  }
  return median(samples);
}

interface Measured {
  perConnection: number;
  open: number;
  failures: number;
  before: number;
  after: number;
  connectSeconds: number;
  firstError: string;
}

export const memoryScenario: Scenario = {
  id: 'memory',
  title: 'RSS per idle authenticated WebSocket vs bare ws server',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const hard = fdHardLimit();
    // The server needs one descriptor per socket plus its own (~50); each client process half.
    const count = settings.quick ? 1000 : Math.min(WANTED, hard - 500);
    const userCount = settings.quick ? 50 : 2000;
    const rounds = settings.quick ? 1 : Math.min(settings.rounds, 3);
    const nofile = Math.min(hard, count + 1000);
    const clients: Worker[] = [
      await ctx.loadWorker('socket clients 1', Math.min(hard, count / 2 + 1000)),
      await ctx.loadWorker('socket clients 2', Math.min(hard, count / 2 + 1000)),
    ];
    const open = async (server: ProductServer, mode: 'product' | 'bare', peers: object[]) => {
      const half = Math.ceil(count / 2);
      const results = await Promise.all(
        clients.map((client, i) =>
          client.call<{ open: number; failures: number; firstError: string; seconds: number }>(
            'idleOpen',
            {
              url: server.url,
              mode,
              peers,
              count: i === 0 ? half : count - half,
              offset: i * half,
              localAddresses: LOCAL_ADDRESSES,
              concurrency: 100,
            },
            600_000,
          ),
        ),
      );
      return {
        open: results.reduce((a, r) => a + r.open, 0),
        failures: results.reduce((a, r) => a + r.failures, 0),
        firstError: results.map((r) => r.firstError).find((e) => e) ?? '',
        seconds: Math.max(...results.map((r) => r.seconds)),
      };
    };
    const measure = async (
      server: ProductServer,
      mode: 'product' | 'bare',
      peers: object[],
    ): Promise<Measured> => {
      try {
        const before = await settledRss(server.pid);
        const opened = await open(server, mode, peers);
        await sleep(2000);
        const after = await settledRss(server.pid);
        return {
          perConnection: (after - before) / Math.max(opened.open, 1),
          open: opened.open,
          failures: opened.failures,
          before,
          after,
          connectSeconds: opened.seconds,
          firstError: opened.firstError,
        };
      } finally {
        await Promise.all(clients.map((c) => c.call('idleClose')));
        await server.stop();
      }
    };
    const measureProduct = async () => {
      const server = await startProduct({ name: 'product (memory)', nofile });
      let users: BenchUser[] = [];
      try {
        users = await registerUsers(server.url, userCount, 8);
      } catch (error) {
        await server.stop();
        throw error;
      }
      await sleep(1000);
      return measure(server, 'product', users);
    };
    const measureBare = async () => {
      const server = await startBaselineServer(
        'bench/baselines/ws-relay.ts',
        'bare ws server',
        {},
        {
          nofile,
        },
      );
      const peers = Array.from({ length: userCount }, (_, i) => ({ userId: `user-${i}` }));
      return measure(server, 'bare', peers);
    };
    /** Heap snapshots (SIGUSR2) before and after `n` sockets; what each socket added. */
    const heapEvidence = async (mode: 'product' | 'bare', n: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
      const flags = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
      const server =
        mode === 'product'
          ? await startProduct({ name: 'product (heap)', nofile, nodeFlags: flags })
          : await startBaselineServer(
              'bench/baselines/ws-relay.ts',
              'bare (heap)',
              {},
              {
                nofile,
                nodeFlags: flags,
              },
            );
      try {
        const peers =
          mode === 'product'
            ? await registerUsers(server.url, Math.max(1, Math.round((userCount * n) / count)), 8)
            : Array.from({ length: userCount }, (_, i) => ({ userId: `user-${i}` }));
        await sleep(1000);
        const snapshot = async () => {
          const known = new Set(readdirSync(dir));
          process.kill(server.pid, 'SIGUSR2');
          for (let i = 0; i < 600; i++) {
            await sleep(100);
            const fresh = readdirSync(dir).filter(
              (f) => f.endsWith('.heapsnapshot') && !known.has(f),
            );
            // The process writes the snapshot synchronously: once it answers again, the file is complete.
            if (fresh.length > 0) {
              const ok = await fetch(`${server.url}/healthz`).then(
                (r) => r.ok,
                () => false,
              );
              if (ok) return join(dir, fresh[0]!);
            }
          }
          throw new Error('no heap snapshot written');
        };
        const before = await snapshot();
        const half = Math.ceil(n / 2);
        await Promise.all(
          clients.map((client, i) =>
            client.call(
              'idleOpen',
              {
                url: server.url,
                mode,
                peers,
                count: i === 0 ? half : n - half,
                offset: i * half,
                localAddresses: LOCAL_ADDRESSES,
                concurrency: 100,
              },
              600_000,
            ),
          ),
        );
        await sleep(2000);
        const after = await snapshot();
        return diffHeaps(before, after, n);
      } finally {
        await Promise.all(clients.map((c) => c.call('idleClose')));
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    try {
      ctx.log(
        `memory: ${rounds} round(s) × ${count} idle sockets each side (open-file hard limit ${hard})`,
      );
      const [p, b] = await alternate(rounds, [measureProduct, measureBare]);
      const perConn = (runs: Measured[]) => runs.map((r) => r.perConnection);
      const complete = p!.every((r) => r.open === count) && b!.every((r) => r.open === count);
      const base = { scenario: 'memory', title: 'RSS per idle authenticated WebSocket' };
      const rows = [
        row({
          ...base,
          metric: `bytes per socket at ${count.toLocaleString('en-US')} sockets (absolute, 8 KiB = 8192 B)`,
          product: side('product', 'B', perConn(p!)),
          baseline: side(
            'limit',
            'B',
            p!.map(() => KIB8),
          ),
          target: { op: '<=', value: 1, text: '≤ 8 KiB' },
        }),
        row({
          ...base,
          metric: 'bytes per socket vs bare ws server',
          product: side('product', 'B', perConn(p!)),
          baseline: side('bare ws server', 'B', perConn(b!)),
          target: { op: '<=', value: 1.5, text: '≤ 1.5×' },
        }),
      ];
      const describe = (label: string, runs: Measured[]) =>
        `${label}: RSS ${runs.map((r) => `${round(r.before / 2 ** 20, 1)} → ${round(r.after / 2 ** 20, 1)} MiB`).join('; ')}; ${runs.map((r) => r.open).join('/')} sockets open (${runs.reduce((a, r) => a + r.failures, 0)} failed${runs[0]?.firstError ? `: ${runs[0].firstError}` : ''}) in ${runs.map((r) => round(r.connectSeconds, 1)).join('/')} s`;
      const notes = [
        describe('product', p!),
        describe('bare ws server', b!),
        `sockets from ${LOCAL_ADDRESSES[0]}…${LOCAL_ADDRESSES.at(-1)} through two load processes; product sockets authenticated as ${userCount} users (${Math.round(count / userCount)} sockets each), each waited for its ready frame.`,
        settings.quick
          ? `${count} sockets (quick run).`
          : count < WANTED
            ? `${count} sockets instead of ${WANTED}: the open-file hard limit here is ${hard} and cannot be raised without CAP_SYS_RESOURCE (ulimit -n 65535 fails), and the server holds one descriptor per socket.`
            : `${count} sockets.`,
        ...(complete ? [] : ['not every socket opened: see the counts above.']),
      ];
      const evidence: string[] = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('memory: heap snapshots of the product and the bare server');
        const snapshotCount = Math.min(count, 4000);
        evidence.push(
          heapMarkdown('the product', await heapEvidence('product', snapshotCount)),
          heapMarkdown('the bare ws server', await heapEvidence('bare', snapshotCount)),
        );
      }
      return { rows, notes, profiles: [], evidence };
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
    }
  },
};
