/**
 * @module Setup file of test/runtimes/vitest.config.ts: fails every test file
 * unless it runs in the runtime the matrix asked for, so a runner that falls
 * back to Node (a worker spawned with the wrong binary) cannot pass for Bun,
 * Deno or Chromium.
 */
import { beforeAll, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    expectedRuntime: string;
  }
}

function currentRuntime(): string {
  const global = globalThis as {
    Bun?: unknown;
    Deno?: unknown;
    window?: unknown;
    navigator?: { userAgent?: string };
  };
  if (global.Bun !== undefined) return 'bun';
  if (global.Deno !== undefined) return 'deno';
  if (global.window !== undefined && /Chrome\//.test(global.navigator?.userAgent ?? '')) {
    return 'chromium';
  }
  return 'node';
}

beforeAll(() => {
  const expected = inject('expectedRuntime');
  const actual = currentRuntime();
  if (actual !== expected) throw new Error(`expected to run in ${expected}, running in ${actual}`);
});
