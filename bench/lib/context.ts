/**
 * @module What every scenario gets: the run's settings, a log line writer,
 * load-generator workers, the run's MongoDB-compatible server (started once,
 * on first use), alternating rounds, and CPU profiles of the product.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, startWorker, type Worker } from './proc.js';
import { type ProductOptions, type ProductServer, startProduct } from './product.js';
import { type ProfileSummary, summarizeProfile } from './profile.js';
import type { Row } from './report.js';

export interface Settings {
  readonly quick: boolean;
  readonly rounds: number;
  /** Length of one timed measurement, in seconds. */
  readonly seconds: number;
  /** Length of a warm-up measurement, in seconds. */
  readonly warmupSec: number;
  /** auto: profile the product when one of the scenario's targets is missed. */
  readonly profile: 'auto' | 'always' | 'off';
}

export interface Mongo {
  readonly description: string;
  /** The server's process id when this run started it (FerretDB), else null: its CPU can be counted. */
  readonly pid: number | null;
  /** A URI naming a fresh database of this run. */
  uri(prefix: string): string;
}

export interface Ctx {
  readonly settings: Settings;
  log(message: string): void;
  /** A load-generator worker on the load core; stopped by the scenario. */
  loadWorker(name?: string, nofile?: number): Promise<Worker>;
  /** A worker script of bench/baselines on the server core. */
  serverWorker(script: string, name: string): Promise<Worker>;
  mongo(): Promise<Mongo>;
  /**
   * Runs `work` against a product started under `--cpu-prof`, then stops it
   * and summarizes the profile.
   */
  profileProduct(
    options: ProductOptions,
    work: (server: ProductServer, begin: () => void) => Promise<void>,
  ): Promise<ProfileSummary | null>;
  /** Whether to profile now, given the scenario's rows. */
  shouldProfile(rows: readonly Row[]): boolean;
}

export interface ScenarioOutput {
  rows: Row[];
  notes: string[];
  profiles: ProfileSummary[];
  /** Further evidence for a missed target, as Markdown blocks. */
  evidence?: string[];
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  run(ctx: Ctx): Promise<ScenarioOutput>;
}

/**
 * Runs `rounds` rounds of the given measurements, rotating their order each
 * round so that none is always first; returns each one's per-round results.
 */
export async function alternate<T>(
  rounds: number,
  measurements: readonly (() => Promise<T>)[],
): Promise<T[][]> {
  const results: T[][] = measurements.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = measurements.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) results[i]!.push(await measurements[i]!());
  }
  return results;
}

export const workerScript = (name: string) => join(BENCH_DIR, name);

export function createContext(
  settings: Settings,
  profileDir: string,
  getMongo: () => Promise<{ uri: string; description: string; pid: number | null }>,
): Ctx {
  let mongo: Promise<{ uri: string; description: string; pid: number | null }> | undefined;
  const runTag = randomBytes(3).toString('hex');
  let dbCounter = 0;
  return {
    settings,
    log: (message) => console.log(`[bench] ${message}`),
    loadWorker: (name = 'load generator', nofile) =>
      startWorker(workerScript('load/worker.ts'), {
        name,
        role: 'load',
        ...(nofile === undefined ? {} : { nofile }),
      }),
    serverWorker: (script, name) => startWorker(workerScript(script), { name, role: 'server' }),
    async mongo() {
      mongo ??= getMongo();
      const { uri, description, pid } = await mongo;
      return {
        description,
        pid,
        uri(prefix) {
          dbCounter += 1;
          const base = uri.replace(/\/[^/?]*(\?.*)?$/, '/');
          return `${base}bench_${prefix}_${runTag}_${dbCounter}`;
        },
      };
    },
    async profileProduct(options, work) {
      mkdirSync(profileDir, { recursive: true });
      const spawned = performance.now();
      const server = await startProduct({ ...options, profileDir });
      let file: string | null = null;
      let begun = spawned;
      try {
        // `begin()` marks where the measured load starts: earlier samples are left out.
        await work(server, () => {
          begun = performance.now();
        });
      } finally {
        file = await server.stop();
      }
      // The process starts a little after the spawn: skip slightly less than measured.
      return file ? summarizeProfile(file, { skipMs: Math.max(0, begun - spawned - 50) }) : null;
    },
    shouldProfile(rows) {
      if (settings.profile === 'off') return false;
      if (settings.profile === 'always') return true;
      return rows.some((r) => r.met === false);
    },
  };
}
