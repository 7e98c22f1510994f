/**
 * @module The results: one row per target (product vs baseline, the median of
 * the per-round ratios, the target and whether it was met), written as JSON
 * and as a Markdown table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProfileSummary, profileMarkdown } from './profile.js';
import { median, round } from './stats.js';

/** One side of a comparison: medians over the rounds. */
export interface Side {
  readonly label: string;
  /** The compared figure (median over rounds), in `unit`. */
  readonly median: number;
  readonly unit: string;
  /** Median over rounds of each round's p50 / p99 latency, in ms, when measured. */
  readonly p50?: number;
  readonly p99?: number;
  /** Per-round values of the compared figure. */
  readonly rounds: readonly number[];
}

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
  readonly text: string;
}

export interface Row {
  readonly scenario: string;
  readonly title: string;
  readonly metric: string;
  readonly product: Side;
  readonly baseline: Side;
  /** The median of the per-round ratios, or null when not measured. */
  readonly ratio: number | null;
  readonly ratioRounds: readonly number[];
  readonly target: Target | null;
  readonly met: boolean | null;
  readonly rounds: number;
  readonly notes: readonly string[];
  /** The same target applied to the row's floor, when it has one. */
  readonly floor: Floor | null;
}

/**
 * A bare server doing only what the contract requires beyond the baseline
 * (the answer headers docs/API.md promises, an HTTP request where the
 * contract sends by HTTP, a hash beside the relay), measured in the same
 * rounds and held to the row's target. A floor that misses the target too
 * shows the target out of reach before any of the product's own work; the
 * product's distance from its floor is that work's cost.
 */
export interface Floor {
  readonly label: string;
  readonly ratio: number;
  readonly ratioRounds: readonly number[];
  /** Whether the floor itself meets the row's target. */
  readonly met: boolean;
  /** The median of the per-round quotients of the row's ratio by the floor's: the product's own share. */
  readonly productOverFloor: number;
}

/** `side`'s figure over `baseline`'s, round by round. */
const perRoundRatios = (side: Side, baseline: Side): number[] =>
  side.rounds.map((value, i) => value / (baseline.rounds[i] ?? Number.NaN));

/** A floor's per-round ratios: its figure over the row's baseline, round by round. */
export function floorOf(
  label: string,
  floor: Side,
  baseline: Side,
): { label: string; ratios: readonly number[] } {
  return { label, ratios: perRoundRatios(floor, baseline) };
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly rows: Row[];
  readonly notes: string[];
  readonly profiles: ProfileSummary[];
  readonly evidence?: string[];
  readonly error?: string;
  readonly seconds: number;
}

/** A side from per-round figures (and optional per-round p50/p99). */
export function side(
  label: string,
  unit: string,
  values: readonly number[],
  latency?: { p50: readonly number[]; p99: readonly number[] },
): Side {
  return {
    label,
    unit,
    median: round(median(values)),
    rounds: values.map((v) => round(v)),
    ...(latency ? { p50: round(median(latency.p50)), p99: round(median(latency.p99)) } : {}),
  };
}

/**
 * A side from per-round results that each carry a p50 and a p99: `figure`
 * of each round is the side's value, with the medians of their p50s and
 * p99s beside it.
 */
export function sideOfRuns<R extends { readonly p50: number; readonly p99: number }>(
  label: string,
  unit: string,
  runs: readonly R[],
  figure: (run: R) => number,
): Side {
  return side(label, unit, runs.map(figure), {
    p50: runs.map((r) => r.p50),
    p99: runs.map((r) => r.p99),
  });
}

/** A row whose ratio is product/baseline per round (or `ratios` when given). */
export function row(init: {
  scenario: string;
  title: string;
  metric: string;
  product: Side;
  baseline: Side;
  target: Target | null;
  ratios?: readonly number[];
  notes?: readonly string[];
  extraCheck?: boolean;
  /** The row's floor: its label and per-round ratios on the row's terms (`floorOf`). */
  floor?: { label: string; ratios: readonly number[] };
}): Row {
  const ratios = init.ratios ?? perRoundRatios(init.product, init.baseline);
  const ratio = ratios.length === 0 ? null : round(median(ratios));
  const meets = (target: Target, value: number) =>
    target.op === '>=' ? value >= target.value : value <= target.value;
  let met: boolean | null = null;
  if (ratio !== null && init.target) {
    met = meets(init.target, ratio);
    if (init.extraCheck === false) met = false;
  }
  let floor: Floor | null = null;
  if (init.floor && init.target && init.floor.ratios.length > 0) {
    const floorRatio = round(median(init.floor.ratios));
    floor = {
      label: init.floor.label,
      ratio: floorRatio,
      ratioRounds: init.floor.ratios.map((r) => round(r)),
      met: meets(init.target, floorRatio),
      productOverFloor: round(
        median(ratios.map((r, i) => r / (init.floor!.ratios[i] ?? Number.NaN))),
      ),
    };
  }
  return {
    scenario: init.scenario,
    title: init.title,
    metric: init.metric,
    product: init.product,
    baseline: init.baseline,
    ratio,
    ratioRounds: ratios.map((r) => round(r)),
    target: init.target,
    met,
    rounds: ratios.length,
    notes: init.notes ?? [],
    floor,
  };
}

export function notMeasured(init: {
  scenario: string;
  title: string;
  metric: string;
  target: Target;
  why: string;
}): Row {
  const empty = (label: string): Side => ({ label, unit: '', median: Number.NaN, rounds: [] });
  return {
    ...init,
    product: empty('product'),
    baseline: empty('baseline'),
    ratio: null,
    ratioRounds: [],
    met: null,
    rounds: 0,
    notes: [`not measured: ${init.why}`],
    floor: null,
  };
}

function fmt(value: number | undefined, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const shown =
    abs >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : abs >= 100
        ? value.toFixed(0)
        : abs >= 10
          ? value.toFixed(1)
          : value.toFixed(2);
  return unit ? `${shown} ${unit}` : shown;
}

function sideCell(s: Side): string {
  const lat =
    s.p50 !== undefined || s.p99 !== undefined ? ` (p50 ${fmt(s.p50)} / p99 ${fmt(s.p99)} ms)` : '';
  return `${s.label}: **${fmt(s.median, s.unit)}**${lat}`;
}

export interface RunInfo {
  readonly startedAt: string;
  readonly seconds: number;
  readonly mode: 'full' | 'quick';
  readonly machine: Record<string, string | number>;
  readonly scenarios: readonly ScenarioResult[];
}

export function toMarkdown(info: RunInfo): string {
  const rows = info.scenarios.flatMap((s) => s.rows);
  const verdict = (r: Row) =>
    r.target === null
      ? 'information'
      : r.met === null
        ? 'not measured'
        : r.met
          ? '✅ met'
          : r.floor === null
            ? '❌ missed'
            : `❌ missed (floor ${fmt(r.floor.ratio)}: ${r.floor.met ? 'meets it' : 'misses it too'})`;
  const missed = rows.filter((r) => r.met === false && r.floor !== null);
  const lines = [
    `# Benchmark results (${info.mode} run)`,
    '',
    `${info.startedAt} · ${Math.round(info.seconds)} s · product ${info.machine.revision ?? '?'} · Node ${info.machine.node} · ${info.machine.cpuModel} × ${info.machine.cpus} · ${info.machine.pinning} · load average ${info.machine.loadAverage ?? '?'} · database: ${info.machine.mongo ?? '?'}`,
    '',
    'Every figure is a median over rounds; each round measures the product and its baseline back to back (order alternating), and the ratio is taken per round. Latencies in ms.',
    '',
    '| scenario | metric | product | baseline | ratio (median) | per-round ratios | target | rounds | result |',
    '|---|---|---|---|---:|---|---|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.title} | ${r.metric} | ${r.rounds ? sideCell(r.product) : '—'} | ${r.rounds ? sideCell(r.baseline) : '—'} | ${r.ratio === null ? '—' : `**${fmt(r.ratio)}**`} | ${r.ratioRounds.map((x) => fmt(x)).join(', ')} | ${r.target?.text ?? '—'} | ${r.rounds} | ${verdict(r)} |`,
    ),
    '',
    ...(missed.length === 0
      ? []
      : [
          '## Missed targets against their floors',
          '',
          "A row's floor is a bare server doing only what the contract requires beyond the row's baseline (the answer headers docs/API.md promises, an HTTP request where the contract sends by HTTP, a hash beside the relay), measured in the same rounds against the same baseline and held to the same target; the scenario's notes say how each is built. A floor that misses the target too shows the target out of reach before any of the product's own work; the product's distance from its floor is that work's cost (the last column: the row's ratio over the floor's, median of the rounds).",
          '',
          '| scenario | metric | target | product | floor | floor per round | floor result | product ÷ floor |',
          '|---|---|---|---:|---|---|---|---:|',
          ...missed.map((r) => {
            const f = r.floor!;
            return `| ${r.title} | ${r.metric} | ${r.target!.text} | **${fmt(r.ratio ?? undefined)}** | ${f.label}: **${fmt(f.ratio)}** | ${f.ratioRounds.map((x) => fmt(x)).join(', ')} | ${f.met ? 'meets it' : 'misses it too'} | ${fmt(f.productOverFloor)} |`;
          }),
          '',
        ]),
  ];
  for (const scenario of info.scenarios) {
    const notes = [...scenario.notes, ...scenario.rows.flatMap((r) => r.notes)];
    const evidence = scenario.evidence ?? [];
    if (notes.length === 0 && !scenario.error && scenario.profiles.length + evidence.length === 0) {
      continue;
    }
    lines.push(`## ${scenario.title} (\`${scenario.id}\`, ${Math.round(scenario.seconds)} s)`, '');
    if (scenario.error) lines.push(`**Error:** ${scenario.error.split('\n')[0]}`, '');
    for (const note of notes) lines.push(`- ${note}`);
    if (notes.length) lines.push('');
    for (const profile of scenario.profiles) lines.push(profileMarkdown(profile), '');
    for (const block of evidence) lines.push(block, '');
  }
  return `${lines.join('\n')}\n`;
}

export function writeResults(
  dir: string,
  name: string,
  info: RunInfo,
): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(md, toMarkdown(info));
  try {
    // The committed files must pass `biome ci` (which formats JSON and Markdown) as they are.
    execFileSync('npx', ['biome', 'format', '--write', json, md], { stdio: 'ignore' });
  } catch {
    // Formatting is cosmetic; the files are valid either way.
  }
  return { json, md };
}
