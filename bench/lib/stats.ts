/** @module Small statistics helpers: medians and percentiles of plain arrays. */

/** The q-quantile (0…1) of `values` (nearest rank on a sorted copy); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** p50 and p99 of latency samples (same unit as the samples). */
export function latencySummary(samples: readonly number[]): {
  p50: number;
  p99: number;
  n: number;
} {
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), n: samples.length };
}

/** Rounds to `digits` significant-ish decimals for display and JSON. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
