/**
 * @module Preloaded (`--import`) into a server a scenario wants to see the
 * GC pauses of: appends `<start> <duration> <kind>` (ms; start on the wall
 * clock, `performance.timeOrigin` based, so another process can place it on
 * its own clock; kind `minor` (a scavenge), `major` (mark-compact),
 * `incremental` (a marking step) or `weakcb`) for each pause to the file
 * `BENCH_GC_LOG` names. Plain JavaScript:
 * it loads before tsx. One small append per pause (a few per second).
 */
import { appendFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KINDS = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const file = process.env.BENCH_GC_LOG;
if (file) {
  new PerformanceObserver((list) => {
    const lines = list
      .getEntries()
      .map(
        (entry) =>
          `${performance.timeOrigin + entry.startTime} ${entry.duration} ${KINDS.get(entry.detail?.kind) ?? 'other'}\n`,
      );
    appendFileSync(file, lines.join(''));
  }).observe({ entryTypes: ['gc'] });
}
