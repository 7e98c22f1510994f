/**
 * @module The real server as a separate OS process (`node --import tsx
 * apps/server/main.ts`, cwd the repository root), for tests that kill it,
 * restart it, or run several instances side by side. A process is ready when
 * it logs `My Calls backend listening on <url>`; it listens on 127.0.0.1 and
 * a port of its own choosing (`PORT=0`) unless told otherwise.
 *
 * `useServerProcesses()` registers an `afterAll` that ends every process it
 * started, whether the tests passed or not; any process still alive when the
 * test worker exits is killed with SIGKILL as a last resort.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { TEST_JWT_SECRET } from './start-test-server.js';

/** How a process ended: exactly one of the two is set. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcessOptions {
  /**
   * Server variables (PORT, MONGODB_URI, JWT_SECRET, …). Defaults: `PORT=0`,
   * `HOST=127.0.0.1`, `NODE_ENV=test`, `JWT_SECRET` = the tests' secret,
   * `RATE_LIMITS=off`; every other server variable unset (an inherited
   * `MONGODB_URI` or `REDIS_URL` never leaks in). `undefined` unsets one.
   */
  readonly env?: Record<string, string | undefined>;
  /** How long to wait for the "listening" line (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Shown in error messages, e.g. `"instance B"`. */
  readonly name?: string;
}

/** A running server process. */
export interface ServerProcess {
  /** Base URL from the "listening" line, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly name: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** True until the process has exited. */
  isRunning(): boolean;
  /** Sends `signal` (default SIGKILL) and returns at once; await `exited` to see it end. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves once it has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
  /** Everything it wrote so far, stdout and stderr interleaved (the last 256 KiB). */
  output(): string;
  /** Everything it wrote to stderr so far (the last 256 KiB). */
  stderr(): string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The line is JSON (pino) or pretty: the URL ends at a space, a quote or a line end.
const LISTENING = /My Calls backend listening on (http:\/\/[^\s"]+)[\s"]/;
const KEEP_BYTES = 256 * 1024;

/** The variables `apps/server/config.ts` reads, plus the ones later issues add. */
const SERVER_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'MONGODB_URI',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'REDIS_HEARTBEAT',
  'REDIS_INSTANCE_TTL',
  'JWT_SECRET',
  'JWT_TTL',
  'RATE_LIMITS',
  'CALL_RING_TIMEOUT',
  'STUN_URLS',
  'TURN_URLS',
  'TURN_SECRET',
  'TURN_TTL',
  'LOG_LEVEL',
  'SHUTDOWN_TIMEOUT',
  'TRUST_PROXY',
  'CORS_ORIGINS',
  'RATE_LIMIT_LOGIN_PER_PHONE',
  'RATE_LIMIT_LOGIN_PER_IP',
  'RATE_LIMIT_REGISTER_PER_IP',
  'RATE_LIMIT_BUNDLE_PER_PAIR',
  'RATE_LIMIT_BUNDLE_PER_REQUESTER',
  'RATE_LIMIT_BUNDLE_PER_TARGET',
  'RATE_LIMIT_SEND_PER_USER',
  'RATE_LIMIT_LOOKUP_PER_USER',
  'RATE_LIMIT_PROFILE_READS_PER_USER',
  'RATE_LIMIT_PUBLISH_PER_USER',
  'RATE_LIMIT_CALL_PER_USER',
  'RATE_LIMIT_CALL_PER_PAIR',
  'BODY_READ_TIMEOUT',
  'MAX_LARGE_BODIES_PER_IP',
  'RATE_LIMIT_WS_FRAME_BURST',
  'RATE_LIMIT_WS_FRAMES_PER_SEC',
  'RATE_LIMIT_CODE_PER_PHONE',
  'RATE_LIMIT_CODE_PER_IP',
  'RATE_LIMIT_CODE_PER_CALLING_CODE',
  'PHONE_VERIFICATION',
  'PHONE_VERIFIER',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_VERIFY_SERVICE_SID',
  'TWILIO_VERIFY_BASE_URL',
];

// Every process not yet exited, so none outlives the test worker.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Starts a server process and resolves once it is listening; throws with its output otherwise. */
export async function startServerProcess(
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const name = options.name ?? 'server process';
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !SERVER_VARIABLES.includes(key)) env[key] = value;
  }
  const settings: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMITS: 'off',
    ...options.env,
  };
  for (const key of SERVER_VARIABLES) {
    // An empty value counts as unset for the server, and keeps a stray `.env` from filling it in.
    env[key] = settings[key] ?? '';
  }
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined) env[key] = value;
  }

  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHook();
  live.add(child);

  let all = '';
  let errors = '';
  const keep = (text: string) => (text.length > KEEP_BYTES ? text.slice(-KEEP_BYTES) : text);
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    all = keep(all + chunk);
    errors = keep(errors + chunk);
  });

  let running = true;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', () => {
      // Spawning failed: 'exit' may never come.
      running = false;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const url = await new Promise<string>((resolve, reject) => {
    let settled = false;
    let pending = '';
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const shown = all.slice(-8000) || '(none)';
      reject(new Error(`${name} (pid ${child.pid ?? '?'}) ${why}.\n--- its output ---\n${shown}`));
    };
    const timer = setTimeout(
      () => fail(`did not log that it is listening within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: string) => {
      all = keep(all + chunk);
      if (settled) return;
      pending = (pending + chunk).slice(-4096);
      const match = LISTENING.exec(pending);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((exit) =>
      fail(`exited before listening (code ${exit.code}, signal ${exit.signal})`),
    );
  }).catch(async (error: unknown) => {
    await exited;
    throw error;
  });

  const port = Number(new URL(url).port);
  const processInfo: ServerProcess = {
    url,
    port,
    pid: child.pid!,
    name,
    exited,
    isRunning: () => running,
    kill(signal = 'SIGKILL') {
      if (running) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (!running) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    output: () => all,
    stderr: () => errors,
  };
  return processInfo;
}

/** Starts server processes for one test file and ends them all in `afterAll`. */
export interface ServerProcessPool {
  start(options?: ServerProcessOptions): Promise<ServerProcess>;
  /** Every process started so far, running or not. */
  readonly started: readonly ServerProcess[];
  /** Ends every process still running (SIGTERM, SIGKILL after `graceMs`). */
  stopAll(graceMs?: number): Promise<void>;
}

/**
 * Registers an `afterAll` that stops every process started through the
 * returned pool, so a failing test leaves no process behind.
 */
export function useServerProcesses(): ServerProcessPool {
  const started: ServerProcess[] = [];
  const pool: ServerProcessPool = {
    started,
    async start(options) {
      const server = await startServerProcess(options);
      started.push(server);
      return server;
    },
    async stopAll(graceMs = 5000) {
      await Promise.all(started.map((server) => server.stop(graceMs)));
    },
  };
  afterAll(() => pool.stopAll());
  return pool;
}
