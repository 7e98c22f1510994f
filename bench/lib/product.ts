/**
 * @module The server under test as its own process: `node
 * dist/apps/server/main.js`, the build `npm start` serves (bench/lib/dist.ts),
 * with RATE_LIMITS=off and LOG_LEVEL=silent, on a port
 * chosen here (the silent server logs no "listening" line, so readiness is
 * `/healthz` answering). With `profileDir` it runs under `--cpu-prof`; the
 * profile is written when it exits after SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../../apps/server/config.js';
import { DIST_MAIN, START_NODE_FLAGS } from './dist.js';
import { freePort, nodeCommand, type Proc, type Role, spawnPinned, waitForHttp } from './proc.js';

export const BENCH_JWT_SECRET = 'benchmark-secret-that-is-long-enough-0123456789';

export interface ProductServer {
  readonly url: string;
  readonly port: number;
  readonly proc: Proc;
  readonly pid: number;
  /** Stops it; with a profile, resolves to the .cpuprofile path written. */
  stop(): Promise<string | null>;
}

export interface ProductOptions {
  readonly name?: string;
  /** A bench script (run through tsx) to start instead of the product (a baseline built on it). */
  readonly script?: string;
  /** Server variables on top of the benchmark's defaults (MONGODB_URI, REDIS_URL, …). */
  readonly env?: Record<string, string>;
  readonly profileDir?: string;
  readonly nofile?: number;
  readonly role?: Role;
  /** Extra node flags (e.g. --heapsnapshot-signal). */
  readonly nodeFlags?: readonly string[];
  /** Stdout to /dev/null: for a server that logs (LOG_LEVEL=info). */
  readonly discardStdout?: boolean;
}

export async function startProduct(options: ProductOptions = {}): Promise<ProductServer> {
  const port = await freePort();
  const env: Record<string, string> = {};
  // Every server variable unset (empty) unless the scenario sets it: no stray .env value leaks in.
  for (const name of CONFIG_VARIABLES) env[name] = '';
  Object.assign(env, {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'silent',
    JWT_SECRET: BENCH_JWT_SECRET,
    ...options.env,
  });
  // The product and the baselines made of it run with npm start's flags, as users run them.
  const flags = [
    ...START_NODE_FLAGS,
    ...(options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, '--cpu-prof-interval=500']
      : []),
    ...(options.nodeFlags ?? []),
  ];
  const name = options.name ?? 'product server';
  const command =
    options.script === undefined
      ? [process.execPath, ...flags, DIST_MAIN]
      : nodeCommand(options.script, flags);
  const proc = spawnPinned(command, {
    name,
    role: options.role ?? 'server',
    env,
    discardStdout: options.discardStdout ?? false,
    ...(options.nofile === undefined ? {} : { nofile: options.nofile }),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, proc);
  return {
    url,
    port,
    proc,
    pid: proc.pid,
    async stop() {
      await proc.stop(15_000);
      if (!options.profileDir) return null;
      const files = readdirSync(options.profileDir)
        .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${proc.pid}.`))
        .map((f) => join(options.profileDir!, f));
      return files[0] ?? null;
    },
  };
}

/** A baseline server script of bench/baselines (listens on PORT, answers /healthz). */
export async function startBaselineServer(
  script: string,
  name: string,
  env: Record<string, string> = {},
  options: { nofile?: number; nodeFlags?: readonly string[]; discardStdout?: boolean } = {},
): Promise<ProductServer> {
  const port = await freePort();
  const proc = spawnPinned(nodeCommand(script, options.nodeFlags), {
    name,
    role: 'server',
    env: { ...env, PORT: String(port) },
    discardStdout: options.discardStdout ?? false,
    ...(options.nofile === undefined ? {} : { nofile: options.nofile }),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, proc);
  return {
    url,
    port,
    proc,
    pid: proc.pid,
    async stop() {
      await proc.stop(5000);
      return null;
    },
  };
}

// ------------------------------------------------------------- API helpers

// biome-ignore lint/suspicious/noExplicitAny: benchmark setup reads JSON answers loosely.
export async function api<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

const RUN_TAG = String(100 + (randomBytes(2).readUInt16BE(0) % 900));
let phoneCounter = 0;

export interface BenchUser {
  readonly userId: string;
  readonly sessionId: string;
  readonly token: string;
  readonly phoneNumber: string;
  readonly password: string;
}

export const BENCH_PASSWORD = 'correct horse battery staple';

/** Registers a user with a fresh phone number (argon2: about 30-50 ms of server CPU each). */
export async function registerUser(baseUrl: string, name = 'Bench'): Promise<BenchUser> {
  phoneCounter += 1;
  const phoneNumber = `+1555${RUN_TAG}${String(phoneCounter).padStart(5, '0')}`;
  const response = await api(baseUrl, 'POST', '/api/auth/register', {
    phoneNumber,
    displayName: `${name} ${phoneCounter}`,
    password: BENCH_PASSWORD,
  });
  if (response.status !== 201) {
    throw new Error(`register: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return {
    userId: response.body.userId,
    sessionId: response.body.sessionId,
    token: response.body.token,
    phoneNumber,
    password: BENCH_PASSWORD,
  };
}

/** Registers `count` users, `concurrency` at a time. */
export async function registerUsers(
  baseUrl: string,
  count: number,
  concurrency = 4,
): Promise<BenchUser[]> {
  const users: BenchUser[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        users[i] = await registerUser(baseUrl);
      }
    }),
  );
  return users;
}
