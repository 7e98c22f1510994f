/**
 * @module A real MongoDB-compatible server for the tests, chosen in this order:
 * 1. `MONGODB_URI`, when set (it must answer);
 * 2. mongodb-memory-server (a real mongod), when its binary is already on disk
 *    or its download host answers within a few seconds;
 * 3. FerretDB v1.24.2 on SQLite in a temporary directory and a free port, when
 *    `go` is on PATH, built once into `$(go env GOPATH)/bin/ferretdb`;
 * else an error that says how to provide one.
 *
 * `mongo-global-setup.ts` starts one server per `vitest run` and passes its URI
 * to the test files; `useTestDatabase()` gives each file its own database,
 * dropped afterwards. `startFerretDb` is exported for tests that must stop and
 * restart their own server (outage, durability).
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { freePort } from './free-port.js';

/** What the global setup hands to every test file. */
export interface ProvidedMongo {
  /** Base URI of the server (no database in it), or null when none could be provided. */
  readonly uri: string | null;
  /** Which server it is, for humans. */
  readonly description: string;
  /** Why there is none, when `uri` is null. */
  readonly error: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongo: ProvidedMongo;
  }
}

/** A server the tests may use. */
export interface TestMongoServer {
  readonly uri: string;
  readonly description: string;
  /** Stops the server if this process started it; a no-op for `MONGODB_URI`. */
  stop(): Promise<void>;
}

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const execFileAsync = promisify(execFile);

/** The first server that works, in the module comment's order; else throws with a how-to. */
export async function startMongoServer(): Promise<TestMongoServer> {
  const external = process.env.MONGODB_URI;
  if (external) {
    if (!(await answers(external, 5000))) {
      throw new Error(`MONGODB_URI is set but ${redact(external)} does not answer a ping.`);
    }
    return {
      uri: external,
      description: `MONGODB_URI (${redact(external)})`,
      stop: async () => {},
    };
  }
  const reasons: string[] = [];
  const memory = await tryMemoryServer(reasons);
  if (memory) return memory;
  const ferret = await tryFerretDb(reasons);
  if (ferret) return ferret;
  throw new Error(
    [
      'No MongoDB-compatible server for the tests:',
      ...reasons.map((reason) => `  - ${reason}`),
      'Provide one of: MONGODB_URI=mongodb://host:27017 (MongoDB >= 7 or FerretDB 1.24);',
      'internet access for mongodb-memory-server to download mongod (or MONGOMS_SYSTEM_BINARY);',
      `or Go on PATH, so that FerretDB ${FERRETDB_VERSION} can be built.`,
    ].join('\n'),
  );
}

async function tryMemoryServer(reasons: string[]): Promise<TestMongoServer | null> {
  try {
    const { DryMongoBinary, MongoMemoryServer } = await import('mongodb-memory-server');
    // Honours MONGOMS_VERSION, MONGOMS_DOWNLOAD_DIR and MONGOMS_SYSTEM_BINARY.
    const present = await DryMongoBinary.locateBinary(DryMongoBinary.getEnsuredOptions());
    if (!present) {
      const host = await downloadHostAnswers();
      if (host !== true) {
        reasons.push(`mongodb-memory-server: no mongod on disk and ${host}`);
        return null;
      }
    }
    const server = await MongoMemoryServer.create();
    const mongod = server.opts.binary?.version ? `mongod ${server.opts.binary.version}` : 'mongod';
    return {
      uri: server.getUri(),
      description: `mongodb-memory-server (${mongod}) at ${server.getUri()}`,
      stop: async () => {
        await server.stop({ doCleanup: true, force: true });
      },
    };
  } catch (error) {
    reasons.push(`mongodb-memory-server: ${firstLine(error)}`);
    return null;
  }
}

// True, or why mongod cannot be downloaded; answers within 3 s.
async function downloadHostAnswers(): Promise<true | string> {
  // Behind a proxy a direct probe proves nothing: let the download itself try.
  if (process.env.HTTPS_PROXY || process.env.https_proxy) return true;
  const url =
    process.env.MONGOMS_DOWNLOAD_URL ??
    process.env.MONGOMS_DOWNLOAD_MIRROR ??
    'https://fastdl.mongodb.org/';
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
    return true;
  } catch (error) {
    return `${new URL(url).host} cannot be reached (${firstLine(error)})`;
  }
}

async function tryFerretDb(reasons: string[]): Promise<TestMongoServer | null> {
  if (!(await goAvailable())) {
    reasons.push('FerretDB: `go` is not on PATH');
    return null;
  }
  try {
    const server = await startFerretDb({ binary: await ensureFerretDb() });
    return {
      uri: server.uri,
      description: `FerretDB ${FERRETDB_VERSION} (SQLite, ${server.dataDir}) at ${server.uri}`,
      stop: () => server.dispose(),
    };
  } catch (error) {
    reasons.push(`FerretDB: ${firstLine(error)}`);
    return null;
  }
}

async function goAvailable(): Promise<boolean> {
  try {
    await execFileAsync('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a working FerretDB v1.24.2 binary at `$(go env GOBIN)` or
 * `$(go env GOPATH)/bin`, building it only when it is missing or another
 * version. `go install …/cmd/ferretdb@v1.24.2` is not enough: the module
 * archive lacks the generated `build/version/version.txt`, so that binary
 * panics at start. The build therefore uses the same module source (`go mod
 * download`), adds that file, and runs `go build` on a copy.
 */
export async function ensureFerretDb(): Promise<string> {
  const env = async (name: string) => (await execFileAsync('go', ['env', name])).stdout.trim();
  const binDir = (await env('GOBIN')) || join((await env('GOPATH')).split(delimiter)[0]!, 'bin');
  const binary = join(binDir, process.platform === 'win32' ? 'ferretdb.exe' : 'ferretdb');
  if (await isFerretDb(binary)) return binary;

  console.log(`[mongo] building FerretDB ${FERRETDB_VERSION} into ${binary} (once)…`);
  const work = await mkdtemp(join(tmpdir(), 'ferretdb-build-'));
  try {
    const { stdout } = await execFileAsync(
      'go',
      ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
      { maxBuffer: 1 << 20 },
    );
    const source = join(work, 'src');
    await cp((JSON.parse(stdout) as { Dir: string }).Dir, source, { recursive: true });
    await makeWritable(source);
    await writeFile(join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const built = join(work, 'ferretdb');
    await execFileAsync('go', ['build', '-trimpath', '-o', built, './cmd/ferretdb'], {
      cwd: source,
      env: { ...process.env, GOFLAGS: '-buildvcs=false' },
      maxBuffer: 16 << 20,
    });
    await mkdir(binDir, { recursive: true });
    await rename(built, binary).catch(async () => {
      // Another file system: copy next to it, then rename atomically.
      await cp(built, `${binary}.tmp`);
      await rename(`${binary}.tmp`, binary);
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (!(await isFerretDb(binary))) throw new Error(`${binary} was built but does not run`);
  return binary;
}

async function isFerretDb(binary: string): Promise<boolean> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000 });
    return stdout.includes(`version: ${FERRETDB_VERSION}`);
  } catch {
    return false;
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}

/** A FerretDB process this test run controls. */
export interface FerretDbProcess {
  readonly uri: string;
  readonly port: number;
  /** The SQLite files; they survive `stop` and `kill`. */
  readonly dataDir: string;
  /** Starts it again on the same port and data (after `stop` or `kill`). */
  start(): Promise<void>;
  /** SIGTERM, and waits until it exited. */
  stop(): Promise<void>;
  /** SIGKILL, and waits until it exited. */
  kill(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** Starts FerretDB on SQLite in a new temporary directory and a free port, ready to answer. */
export async function startFerretDb(
  options: { binary?: string; port?: number } = {},
): Promise<FerretDbProcess> {
  const binary = options.binary ?? (await ensureFerretDb());
  const dataDir = await mkdtemp(join(tmpdir(), 'ferretdb-'));
  await mkdir(join(dataDir, 'sqlite'));
  const port = options.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill('SIGKILL');

  async function start(): Promise<void> {
    if (child) return;
    const log = await open(join(dataDir, 'ferretdb.log'), 'a');
    const spawned = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${join(dataDir, 'sqlite')}/`,
        `--state-dir=${dataDir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { stdio: ['ignore', log.fd, log.fd] },
    );
    await log.close();
    child = spawned;
    process.once('exit', killOnExit);
    spawned.once('exit', () => {
      if (child === spawned) child = null;
      process.off('exit', killOnExit);
    });
    const deadline = Date.now() + 20_000;
    while (!(await answers(uri, 1000))) {
      if (child !== spawned || Date.now() > deadline) {
        await end('SIGKILL');
        throw new Error(`FerretDB did not start on port ${port}; see ${dataDir}/ferretdb.log`);
      }
      await sleep(100);
    }
  }

  async function end(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    if (!running) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    uri,
    port,
    dataDir,
    start,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async dispose() {
      await end('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function answers(uri: string, timeoutMs: number): Promise<boolean> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/** `uri` with `dbName` as its database (query string kept). */
export function uriWithDatabase(uri: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error(`Not a MongoDB URI: ${redact(uri)}`);
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** This file's database on the run's server, valid inside tests and hooks. */
export interface TestDatabase {
  readonly db: Db;
  readonly client: MongoClient;
  /** A URI that names this database, e.g. for a server process under test. */
  readonly uri: string;
}

/**
 * Registers hooks that connect to the run's server, give this file a database
 * of its own (unique name) and drop it afterwards. Fails the file, never skips
 * it, when the run has no server.
 */
export function useTestDatabase(): TestDatabase {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  let state: TestDatabase | null = null;

  beforeAll(async () => {
    const provided = inject('mongo');
    if (!provided?.uri) {
      throw new Error(provided?.error ?? 'No MongoDB server was provided to this test run.');
    }
    const client = new MongoClient(provided.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    state = { db: client.db(name), client, uri: uriWithDatabase(provided.uri, name) };
  });

  afterAll(async () => {
    if (!state) return;
    await state.db.dropDatabase().catch(() => {});
    await state.client.close();
    state = null;
  });

  const current = (): TestDatabase => {
    if (!state) throw new Error('useTestDatabase(): use the database inside tests and hooks only.');
    return state;
  };
  return {
    get db() {
      return current().db;
    },
    get client() {
      return current().client;
    },
    get uri() {
      return current().uri;
    },
  };
}
