/**
 * @module Preloaded (`--import`) into a server a scenario wants to see the
 * GC pauses of: appends `<start> <duration>` (ms; start on the wall clock,
 * `performance.timeOrigin` based, so another process can place it on its own
 * clock) for each pause to the file `BENCH_GC_LOG` names. Plain JavaScript:
 * it loads before tsx. One small append per pause (a few per second).
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_GC_LOG;
if (file) {
  new PerformanceObserver((list) => {
    const lines = list
      .getEntries()
      .map((entry) => `${performance.timeOrigin + entry.startTime} ${entry.duration}\n`);
    appendFileSync(file, lines.join(''));
  }).observe({ entryTypes: ['gc'] });
}
