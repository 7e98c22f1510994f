/**
 * @module `npm run bench [-- options] [scenario…]`: runs the scenarios (all
 * by default) one after another and writes bench/results/latest.{json,md}
 * when every scenario ran (`--quick`: quick.{json,md}, a smoke run of about a
 * minute; a subset of scenarios: partial-<ids>.{json,md}).
 *
 * Options: `--quick`, `--rounds N`, `--seconds S` (one timed measurement),
 * `--profile` (always profile the product), `--no-profile` (never; default:
 * profile a scenario whose target was missed), `--out NAME` (results file
 * name). Scenario ids: http, anatomy, db, claims, storm, push, replay, senders, relay, cross, memory, login.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type Scenario, type Settings } from './lib/context.js';
import { buildProduct, START_NODE_FLAGS } from './lib/dist.js';
import { BENCH_DIR, machineInfo, productRevision, REPO_ROOT } from './lib/proc.js';
import { type ScenarioResult, toMarkdown, writeResults } from './lib/report.js';
import { anatomyScenario } from './scenarios/anatomy.js';
import { claimsScenario } from './scenarios/claims.js';
import { crossScenario } from './scenarios/cross.js';
import { dbScenario } from './scenarios/db.js';
import { httpScenario } from './scenarios/http.js';
import { loginScenario } from './scenarios/login.js';
import { memoryScenario } from './scenarios/memory.js';
import { startBenchMongo } from './scenarios/mongo.js';
import { pushScenario } from './scenarios/push.js';
import { relayScenario } from './scenarios/relay.js';
import { replayScenario } from './scenarios/replay.js';
import { sendersScenario } from './scenarios/senders.js';
import { stormScenario } from './scenarios/storm.js';

const SCENARIOS: readonly Scenario[] = [
  httpScenario,
  anatomyScenario,
  dbScenario,
  claimsScenario,
  stormScenario,
  pushScenario,
  replayScenario,
  sendersScenario,
  relayScenario,
  crossScenario,
  memoryScenario,
  loginScenario,
];

function parseArgs(argv: readonly string[]) {
  const args = [...argv];
  const quick = args.includes('--quick');
  const take = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const value = args[i + 1];
    args.splice(i, 2);
    return value;
  };
  const rounds = Number(take('--rounds') ?? (quick ? 1 : 5));
  const seconds = Number(take('--seconds') ?? (quick ? 1 : 4));
  const outFlag = take('--out');
  // A quick run never profiles unless asked; a full one profiles where a target was missed.
  const profile: Settings['profile'] = args.includes('--no-profile')
    ? 'off'
    : args.includes('--profile')
      ? 'always'
      : quick
        ? 'off'
        : 'auto';
  const ids = args.filter((a) => !a.startsWith('--'));
  // Only a full run of every scenario is `latest` (the committed one).
  const out =
    outFlag ?? (quick ? 'quick' : ids.length === 0 ? 'latest' : `partial-${ids.join('-')}`);
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  }
  const warmupSec = quick ? 0.3 : 1.5;
  return {
    settings: { quick, rounds, seconds, warmupSec, profile } satisfies Settings,
    ids,
    out,
  };
}

async function main() {
  const { settings, ids, out } = parseArgs(process.argv.slice(2));
  const chosen = ids.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => ids.includes(s.id));
  const machine = machineInfo();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  // Other work on the machine shows here (1-minute load average, at start and at the end).
  const loadAtStart = Math.round(loadavg()[0]! * 100) / 100;
  const revisionAtStart = productRevision();
  console.log(
    `[bench] ${settings.quick ? 'quick' : 'full'} run: ${chosen.map((s) => s.id).join(', ')}; ${settings.rounds} rounds × ${settings.seconds} s; Node ${machine.node}; ${machine.cpuModel} × ${machine.cpus}; ${machine.pinning}`,
  );
  // The product runs as `npm start` runs it: from dist/, built from this tree now.
  console.log('[bench] building the product (npm run build)');
  buildProduct();
  const profileDir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const mongo = startBenchMongo();
  const ctx = createContext(settings, profileDir, mongo.get);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of chosen) {
      const t0 = performance.now();
      ctx.log(`── ${scenario.id}: ${scenario.title}`);
      try {
        const output = await scenario.run(ctx);
        results.push({
          id: scenario.id,
          title: scenario.title,
          ...output,
          seconds: (performance.now() - t0) / 1000,
        });
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`[bench] ${scenario.id} failed: ${message}`);
        results.push({
          id: scenario.id,
          title: scenario.title,
          rows: [],
          notes: [],
          profiles: [],
          error: message,
          seconds: (performance.now() - t0) / 1000,
        });
      }
      ctx.log(`   ${scenario.id} took ${Math.round((performance.now() - t0) / 1000)} s`);
    }
  } finally {
    await mongo.stop();
  }
  const info = {
    startedAt,
    seconds: (performance.now() - started) / 1000,
    mode: settings.quick ? ('quick' as const) : ('full' as const),
    machine: {
      ...machine,
      mongo: mongo.description(),
      // Other sessions may change the tree while a run goes on: both ends are recorded.
      revision: `${revisionAtStart} at start, ${productRevision()} at the end, run from dist/ (npm run build at the start) as npm start runs it (${['node', ...START_NODE_FLAGS].join(' ')})`,
      loadAverage: `${loadAtStart} at start, ${Math.round(loadavg()[0]! * 100) / 100} at the end (1 min)`,
    },
    scenarios: results,
  };
  const files = writeResults(join(BENCH_DIR, 'results'), out, info);
  console.log(`\n${toMarkdown(info)}`);
  console.log(
    `[bench] wrote ${files.json.replace(REPO_ROOT, '')} and ${files.md.replace(REPO_ROOT, '')} in ${Math.round(info.seconds)} s`,
  );
  process.exit(results.some((r) => r.error) ? 1 : 0);
}

await main();
