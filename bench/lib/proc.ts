/**
 * @module Processes of a benchmark: the server under test, the baselines and
 * the load generators, each a child process of its own, pinned with `taskset`
 * (servers on one core, load generators on another) when the tool exists and
 * the machine has two cores or more. Workers speak a tiny RPC over Node's IPC
 * channel (`startWorker` / `serveRpc`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));

function detectTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CORES = availableParallelism();
const TASKSET = detectTaskset();

/** Where each kind of process runs, and how that was decided (printed with the results). */
export const PINNING = {
  enabled: TASKSET && CORES >= 2,
  serverCpu: 0,
  loadCpu: CORES >= 2 ? 1 : 0,
  description:
    TASKSET && CORES >= 2
      ? `taskset: servers on CPU 0, load generators on CPU 1 (${CORES} CPUs)`
      : TASKSET
        ? `not pinned: only ${CORES} CPU`
        : `not pinned: taskset not found (${CORES} CPUs); server and load share the cores`,
} as const;

/** What the server runs with: the product's files (not tests, not bench/). */
const PRODUCT_PATHS = [
  'core',
  'adapters',
  'apps',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

/**
 * The commit measured: the last one that touched the product's files (commits
 * to tests or bench/ change nothing that runs), `+dirty` when those files have
 * uncommitted changes.
 */
export function productRevision(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const hash = git('log', '-1', '--format=%h', '--', ...PRODUCT_PATHS);
    const dirty = git('status', '--porcelain', '--', ...PRODUCT_PATHS).length > 0;
    return dirty ? `${hash}+dirty` : hash;
  } catch {
    return 'unknown';
  }
}

/**
 * The Node major the container image runs (the Dockerfile's `NODE_IMAGE`),
 * which is what a deployment's figures come from; undefined when unreadable.
 */
function imageNodeMajor(): number | undefined {
  try {
    const dockerfile = readFileSync(`${REPO_ROOT}Dockerfile`, 'utf8');
    const major = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile)?.[1];
    return major === undefined ? undefined : Number(major);
  } catch {
    return undefined;
  }
}

/** `v24.22.3`, and whether that is the image's Node: a run on another Node measures another V8. */
function nodeDescription(): string {
  const image = imageNodeMajor();
  const major = Number(process.versions.node.split('.')[0]);
  if (image === undefined) return process.version;
  return image === major
    ? `${process.version} (the container image's Node ${image})`
    : `${process.version} (NOT the container image's Node ${image}: a deployment's figures may differ)`;
}

export function machineInfo() {
  return {
    node: nodeDescription(),
    cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
    cpus: CORES,
    pinning: PINNING.description,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The hard limit on open files (what `ulimit -n` may be raised to without privileges). */
export function fdHardLimit(): number {
  try {
    const out = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? 1_048_576 : Number(out);
  } catch {
    return 1024;
  }
}

export type Role = 'server' | 'load' | 'none';

export interface SpawnOptions {
  readonly name: string;
  readonly role: Role;
  readonly env?: Record<string, string | undefined>;
  /** Raise `ulimit -n` to this in a bash wrapper (capped at the hard limit). */
  readonly nofile?: number;
  /** Adds an IPC channel (workers). */
  readonly ipc?: boolean;
  readonly cwd?: string;
  /** Send stdout to /dev/null (a server logging at `info`: what a deployment's log sink costs, not ours). */
  readonly discardStdout?: boolean;
}

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of live) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** Spawns `command` (argv), pinned for its role, with its output kept (last 64 KiB). */
export function spawnPinned(command: readonly string[], options: SpawnOptions): Proc {
  let argv = [...command];
  if (PINNING.enabled && options.role !== 'none') {
    const cpu = options.role === 'server' ? PINNING.serverCpu : PINNING.loadCpu;
    argv = ['taskset', '-c', String(cpu), ...argv];
  }
  if (options.nofile !== undefined) {
    // exec keeps the pid: the pid we hold is the program's own.
    argv = [
      'bash',
      '-c',
      'ulimit -n "$0" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"',
      String(options.nofile),
      ...argv,
    ];
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...options.env })) {
    if (value !== undefined) env[key] = value;
  }
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: [
      'ignore',
      options.discardStdout ? 'ignore' : 'pipe',
      'pipe',
      ...(options.ipc ? (['ipc'] as const) : []),
    ],
  });
  live.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 65_536) out = out.slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', () => {
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  return {
    name: options.name,
    child,
    pid: child.pid ?? -1,
    exited,
    output: () => out,
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `node --import tsx <script>` as argv, with extra node flags first. */
export function nodeCommand(script: string, nodeFlags: readonly string[] = []): string[] {
  return [process.execPath, ...nodeFlags, '--import', 'tsx', script];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `url` until it answers 2xx; throws with the process output after `timeoutMs`. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop(1000);
  throw new Error(
    `${proc.name} did not answer ${url} (${exited ? 'exited' : 'timeout'}).\n${proc.output().slice(-4000)}`,
  );
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based) of the whole line: 12 and 13 here.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** Measures the CPU share (1.0 = one full core) each pid used while `work` ran. */
export async function withCpu<T>(
  pids: readonly number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: number[] }> {
  const before = pids.map(cpuSeconds);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = pids.map((pid, i) => (cpuSeconds(pid) - before[i]!) / seconds);
  return { result, cpu };
}

// ---------------------------------------------------------------- RPC workers

export interface Worker {
  readonly proc: Proc;
  readonly pid: number;
  call<T = unknown>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

interface RpcReply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** Starts `script` (a module calling `serveRpc`) as a pinned worker process. */
export async function startWorker(
  script: string,
  options: Omit<SpawnOptions, 'ipc'> & { nodeFlags?: readonly string[] },
): Promise<Worker> {
  const proc = spawnPinned(nodeCommand(script, options.nodeFlags), { ...options, ipc: true });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (message === 'ready') {
        proc.child.off('message', onMessage);
        resolve();
      }
    };
    proc.child.on('message', onMessage);
    void proc.exited.then(() =>
      reject(new Error(`${options.name} exited before it was ready.\n${proc.output()}`)),
    );
  });
  proc.child.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null) return;
    const reply = message as RpcReply;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter.reject(new Error(`${options.name}: ${reply.error}`));
    else waiter.resolve(reply.result);
  });
  void proc.exited.then(() => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`${options.name} exited.\n${proc.output().slice(-3000)}`));
    }
    pending.clear();
  });
  await ready;
  return {
    proc,
    pid: proc.pid,
    call<T>(method: string, params?: unknown, timeoutMs = 300_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${options.name}: ${method} took more than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        // With a callback, a worker that has gone rejects this call (with its output,
        // from `exited` above) instead of an unhandled 'error' ending the run.
        proc.child.send({ id, method, params }, (error) => {
          if (error) pending.get(id)?.reject(error);
        });
      });
    },
    stop: () => {
      proc.child.disconnect?.();
      return proc.stop(5000);
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: RPC parameters arrive as parsed JSON.
export type RpcMethods = Record<string, (params: any) => Promise<unknown> | unknown>;

/** In a worker: answers RPC calls with `methods`; exits when the parent goes away. */
export function serveRpc(methods: RpcMethods): void {
  if (!process.send) throw new Error('serveRpc: not started with an IPC channel');
  process.on('message', (message: { id: number; method: string; params: unknown }) => {
    const method = methods[message.method];
    const reply = (body: Omit<RpcReply, 'id'>) => process.send?.({ id: message.id, ...body });
    if (!method) {
      reply({ error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => method(message.params))
      .then(
        (result) => reply({ result: result ?? null }),
        (error: unknown) =>
          reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.send('ready');
}

/**
 * For a server script run by the harness: on SIGTERM or SIGINT, runs `close`
 * and exits 0 (1 when closing fails, or at a second signal).
 */
export function closeOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
