/**
 * @module Time from process start to the first `GET /readyz` 200, for a
 * command that starts the server (on the embedded memory store unless the
 * environment says otherwise). Plain JavaScript so that measuring needs no
 * loader of its own.
 *
 *   node bench/startup.mjs [--runs 5] -- node dist/apps/server/main.js
 *   node bench/startup.mjs -- node --import tsx apps/server/main.ts
 *
 * Each run gets a free port (PORT) and LOG_LEVEL=silent; the process is
 * stopped with SIGTERM once ready. Prints every run and the median, in ms.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import process from 'node:process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' } },
});
if (positionals.length === 0) {
  console.error('usage: node bench/startup.mjs [--runs N] -- <command> [args…]');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function once() {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(positionals[0], positionals.slice(1), {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let failed = false;
  child.once('exit', () => {
    failed = true;
  });
  try {
    for (;;) {
      if (failed) throw new Error(`${positionals.join(' ')} exited before it was ready`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const times = [];
for (let run = 0; run < Number(values.runs); run++) {
  const ms = await once();
  times.push(ms);
  console.log(`run ${run + 1}: ${ms.toFixed(0)} ms`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `median: ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (${positionals.join(' ')})`,
);
