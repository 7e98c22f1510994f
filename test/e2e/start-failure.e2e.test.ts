/**
 * A server that cannot start says why in plain lines on stderr, with no
 * stack, and exits 1: every configuration problem at once, a port in use as
 * one line.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../apps/server/config.js';
import { freePort } from '../support/free-port.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `apps/server/main.ts` with only `settings` configured; resolves when it exits. */
function runServer(
  settings: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  // Empty counts as unset, and keeps a stray `.env` or the test run's own variables out.
  for (const name of CONFIG_VARIABLES) env[name] = '';
  Object.assign(env, { HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, settings);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'apps/server/main.ts'],
      { cwd: REPO_ROOT, env, timeout: 50_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

// Each run starts a fresh node with tsx, which takes seconds on a busy machine.
describe('a server that cannot start', { timeout: 60_000 }, () => {
  let held: Server;
  let heldPort: number;
  beforeAll(async () => {
    heldPort = await freePort();
    held = createServer();
    await new Promise<void>((resolve) => held.listen(heldPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => held.close(resolve));
  });

  it('prints a port in use as one plain line and exits 1', async () => {
    const run = await runServer({ PORT: String(heldPort) });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Cannot start: PORT: 127.0.0.1:${heldPort} is already in use by another process. Stop that process, or set PORT to a free port (PORT=0 picks one).\n`,
    );
  });

  it('prints every configuration problem of the run at once', async () => {
    const run = await runServer({
      NODE_ENV: 'production',
      PHONE_VERIFICATION: 'off',
      JWT_SECRET: 'short',
      PORT: 'eighty',
      TURN_URLS: 'turn:turn.example.org',
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration:',
      '  - PORT must be a whole number',
      '  - JWT_SECRET must be at least 32 characters',
      '  - MONGODB_URI is required in production: set it to a mongodb:// URI (the embedded in-memory store is for development only)',
      "  - TURN_SECRET is required when TURN_URLS is set: set it to the TURN server's static-auth-secret, or unset TURN_URLS",
    ]);
  });

  it('names an unreachable MONGODB_URI with its host and cause, in one line', async () => {
    const port = await freePort();
    const run = await runServer({ MONGODB_URI: `mongodb://127.0.0.1:${port}/mycalls` });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Cannot start: MONGODB_URI: MongoDB at 127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}). Start MongoDB there or correct MONGODB_URI; or unset MONGODB_URI to use the embedded in-memory store (development only).\n`,
    );
  });
});
