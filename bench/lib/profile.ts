/**
 * @module Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and summarizes
 * where the time went: the top functions by self time, and self time per area
 * (a package in node_modules, a directory of this repository, node's own
 * internals, GC, idle).
 */
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './proc.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  /** Share of the profile the process was busy (not idle). */
  readonly busyPct: number;
  readonly top: readonly { fn: string; where: string; area: string; selfMs: number; pct: number }[];
  readonly byArea: readonly { area: string; selfMs: number; pct: number }[];
  /** Inclusive time (self + callees) of the repository's own functions. */
  readonly ownInclusive: readonly { fn: string; where: string; ms: number; pct: number }[];
  /** Inclusive time per package or directory (a sample counts once per area on its stack). */
  readonly areaInclusive: readonly { area: string; ms: number; pct: number }[];
  /** Milliseconds skipped at the start (process start-up, set-up). */
  readonly skippedMs: number;
}

function areaOf(url: string, fn: string): string {
  if (url === '') {
    if (fn === '(idle)') return '(idle)';
    if (fn === '(garbage collector)') return '(gc)';
    if (fn === '(program)') return '(program: native, not JS)';
    return '(native)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const local = url.replace(/^file:\/\//, '');
  if (local.startsWith(REPO_ROOT)) {
    // The product runs from its build (dist/): areas are named by the source tree.
    const rel = local.slice(REPO_ROOT.length).replace(/^dist\//, '');
    const parts = rel.split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return url;
}

// Positions are in the code V8 ran (dist/'s .js, tsx's output for bench .ts files), so the column is kept too.
function shortWhere(url: string, line: number, column = 0): string {
  const local = url.replace(/^file:\/\//, '').replace(REPO_ROOT, '');
  const nm = local.lastIndexOf('node_modules/');
  const shown = nm >= 0 ? local.slice(nm + 'node_modules/'.length) : local;
  return shown === '' ? '' : `${shown}:${line + 1}:${column + 1}`;
}

/**
 * Summarizes `file`, leaving out the first `skipMs` milliseconds of samples
 * (start-up and set-up before the measured load).
 */
export function summarizeProfile(
  file: string,
  options: { skipMs?: number; topN?: number } = {},
): ProfileSummary {
  const topN = options.topN ?? 15;
  const skipUs = (options.skipMs ?? 0) * 1000;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  const ownInc = new Map<string, { fn: string; where: string; us: number }>();
  const areaInc = new Map<string, number>();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (elapsed < skipUs) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    const seenFns = new Set<string>();
    const seenAreas = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || (frame.url === '' && frame.functionName === '(root)')) continue;
      const area = areaOf(frame.url, frame.functionName);
      seenAreas.add(area);
      if (/^(core|adapters|apps)\//.test(area) || /^(core|adapters|apps)$/.test(area)) {
        const where = shortWhere(frame.url, frame.lineNumber, frame.columnNumber);
        const key = `${frame.functionName}@${where}`;
        if (!seenFns.has(key)) {
          seenFns.add(key);
          const entry = ownInc.get(key) ?? {
            fn: frame.functionName || '(anonymous)',
            where,
            us: 0,
          };
          entry.us += delta;
          ownInc.set(key, entry);
        }
      }
    }
    for (const area of seenAreas) areaInc.set(area, (areaInc.get(area) ?? 0) + delta);
  }
  const byFn = new Map<string, { fn: string; where: string; area: string; us: number }>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    const where = shortWhere(url, lineNumber, columnNumber);
    const area = areaOf(url, fn);
    const key = `${fn}@${where}`;
    const entry = byFn.get(key) ?? { fn, where, area, us: 0 };
    entry.us += us;
    byFn.set(key, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    total += us;
  }
  const idle = byArea.get('(idle)') ?? 0;
  const pct = (us: number) => Math.round((1000 * us) / Math.max(total, 1)) / 10;
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyPct: pct(total - idle),
    top: [...byFn.values()]
      .filter((e) => e.fn !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({
        fn: e.fn,
        where: e.where,
        area: e.area,
        selfMs: Math.round(e.us / 1000),
        pct: pct(e.us),
      })),
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), pct: pct(us) })),
    ownInclusive: [...ownInc.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 12)
      .map((e) => ({ fn: e.fn, where: e.where, ms: Math.round(e.us / 1000), pct: pct(e.us) })),
    areaInclusive: [...areaInc.entries()]
      .filter(([area]) => area !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([area, us]) => ({ area, ms: Math.round(us / 1000), pct: pct(us) })),
    skippedMs: Math.round(skipUs / 1000),
  };
}

/** The summary as a few lines of Markdown. */
export function profileMarkdown(summary: ProfileSummary): string {
  const lines = [
    `Profile of the product under this load (\`--cpu-prof\`, ${summary.totalMs} ms sampled after skipping ${summary.skippedMs} ms of start-up and set-up; busy ${summary.busyPct} %). Top self time:`,
    '',
    '| self % | self ms | function | where |',
    '|---:|---:|---|---|',
    ...summary.top.map((e) => `| ${e.pct} | ${e.selfMs} | \`${e.fn}\` | ${e.where || e.area} |`),
    '',
    `Self time by area: ${summary.byArea.map((a) => `${a.area} ${a.pct} %`).join(', ')}.`,
    '',
    `Inclusive time by area (a sample counts for every area on its stack): ${summary.areaInclusive.map((a) => `${a.area} ${a.pct} %`).join(', ')}.`,
    '',
    `Inclusive time of the repository's own functions: ${summary.ownInclusive.map((e) => `\`${e.fn}\` (${e.where}) ${e.pct} %`).join(', ')}.`,
  ];
  return lines.join('\n');
}
