/**
 * @module A real MongoDB-compatible server for the tests, chosen in this order:
 * 1. `MONGODB_URI`, when set (it must answer);
 * 2. mongodb-memory-server (a real mongod), when its binary is already on disk
 *    or its download host answers within a few seconds;
 * 3. FerretDB v1.24.2 in a temporary directory and a free port, when `go` is on
 *    PATH, built once into `$(go env GOPATH)/bin/ferretdb`;
 * else an error that says how to provide one.
 *
 * FerretDB has two backends here, and each suite runs on the one that is the
 * more faithful for what it checks (`useTestDatabase({ backend })`):
 * - `sqlite` (the default): keeps every string exactly, U+0000 included, so
 *   the content-fidelity suites run there. It pushes down only a filter on
 *   `_id` alone; every other query decodes the whole collection.
 * - `postgresql` (a database of its own on the machine's PostgreSQL,
 *   `TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432`): pushes
 *   top-level equality filters down to PostgreSQL, so the contention and
 *   cluster suites run there at realistic speed; its `jsonb` cannot hold U+0000.
 * With `MONGODB_URI` or a real mongod both names give that one server.
 *
 * `mongo-global-setup.ts` starts the servers once per `vitest run` and passes
 * their URIs to the test files; `useTestDatabase()` gives each file its own
 * database, dropped afterwards. `startFerretDb` is exported for tests that must
 * stop and restart their own server (outage, durability) and for the bench.
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

/** The FerretDB backends the tests use (see the module comment). */
export type FerretDbBackend = 'sqlite' | 'postgresql';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's server on FerretDB's SQLite backend (or `MONGODB_URI`, or mongod). */
    mongo: ProvidedMongo;
    /** The run's server on FerretDB's PostgreSQL backend (or `MONGODB_URI`, or mongod). */
    mongoPostgresql: ProvidedMongo;
  }
}

/** A server the tests may use. */
export interface TestMongoServer {
  readonly uri: string;
  readonly description: string;
  /** The FerretDB backend it runs on; null for `MONGODB_URI` or a real mongod. */
  readonly ferretDbBackend: FerretDbBackend | null;
  /** Stops the server if this process started it; a no-op for `MONGODB_URI`. */
  stop(): Promise<void>;
}

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const execFileAsync = promisify(execFile);

/**
 * The first server that works, in the module comment's order, FerretDB on
 * `backend` (default SQLite); else throws with a how-to.
 */
export async function startMongoServer(
  backend: FerretDbBackend = 'sqlite',
): Promise<TestMongoServer> {
  const external = process.env.MONGODB_URI;
  if (external) {
    if (!(await answers(external, 5000))) {
      throw new Error(`MONGODB_URI is set but ${redact(external)} does not answer a ping.`);
    }
    return {
      uri: external,
      description: `MONGODB_URI (${redact(external)})`,
      ferretDbBackend: null,
      stop: async () => {},
    };
  }
  const reasons: string[] = [];
  const memory = await tryMemoryServer(reasons);
  if (memory) return memory;
  const ferret = await tryFerretDb(reasons, backend);
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
      ferretDbBackend: null,
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

/** FerretDB on `backend` as a test server; throws with the reason when it cannot start. */
export async function startTestFerretDb(backend: FerretDbBackend): Promise<TestMongoServer> {
  const reasons: string[] = [];
  const server = await tryFerretDb(reasons, backend);
  if (!server) throw new Error(reasons.join('; '));
  return server;
}

async function tryFerretDb(
  reasons: string[],
  backend: FerretDbBackend,
): Promise<TestMongoServer | null> {
  if (!(await goAvailable())) {
    reasons.push('FerretDB: `go` is not on PATH');
    return null;
  }
  try {
    const server = await startFerretDb({ binary: await ensureFerretDb(), backend });
    return {
      uri: server.uri,
      description: `FerretDB ${FERRETDB_VERSION} (${server.storage}) at ${server.uri}`,
      ferretDbBackend: backend,
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
  readonly backend: FerretDbBackend;
  /** Its state and log (and the SQLite files); they survive `stop` and `kill`. */
  readonly dataDir: string;
  /** Where the data lives, for humans: `SQLite, <dir>` or `PostgreSQL, database <name>`. */
  readonly storage: string;
  /** The running server's process id (a restart changes it); null while it is stopped. */
  pid(): number | null;
  /** Starts it again on the same port and data (after `stop` or `kill`). */
  start(): Promise<void>;
  /** SIGTERM, and waits until it exited. */
  stop(): Promise<void>;
  /** SIGKILL, and waits until it exited. */
  kill(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/** PostgreSQL for FerretDB's PostgreSQL backend: a server URL without a database. */
export function testPostgresUrl(): string {
  return (process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(
    /\/+$/,
    '',
  );
}

// Runs one SQL statement on the server's `postgres` database with psql.
async function postgresCommand(sql: string): Promise<void> {
  try {
    await execFileAsync(
      'psql',
      [`${testPostgresUrl()}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qc', sql],
      {
        timeout: 30_000,
      },
    );
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${redact(testPostgresUrl())} (TEST_POSTGRES_URL) refused \`${sql}\`: ${firstLine(
        (error as { stderr?: string }).stderr || error,
      )}`,
    );
  }
}

/**
 * Starts FerretDB in a new temporary directory and a free port, ready to
 * answer: on SQLite files there (default), or on a new PostgreSQL database
 * of its own (`backend: 'postgresql'`, dropped by `dispose`).
 */
export async function startFerretDb(
  options: { binary?: string; port?: number; backend?: FerretDbBackend } = {},
): Promise<FerretDbProcess> {
  const binary = options.binary ?? (await ensureFerretDb());
  const backend = options.backend ?? 'sqlite';
  const dataDir = await mkdtemp(join(tmpdir(), 'ferretdb-'));
  await mkdir(join(dataDir, 'sqlite'));
  const pgDatabase = `ferretdb_${randomBytes(6).toString('hex')}`;
  if (backend === 'postgresql') await postgresCommand(`CREATE DATABASE ${pgDatabase}`);
  const handlerArgs =
    backend === 'postgresql'
      ? ['--handler=postgresql', `--postgresql-url=${testPostgresUrl()}/${pgDatabase}`]
      : ['--handler=sqlite', `--sqlite-url=file:${join(dataDir, 'sqlite')}/`];
  const storage =
    backend === 'postgresql' ? `PostgreSQL, database ${pgDatabase}` : `SQLite, ${dataDir}`;
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
        ...handlerArgs,
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

  async function dispose(): Promise<void> {
    await end('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
    if (backend === 'postgresql') await postgresCommand(`DROP DATABASE IF EXISTS ${pgDatabase}`);
  }

  try {
    await start();
  } catch (error) {
    await dispose().catch(() => {});
    throw error;
  }
  return {
    uri,
    port,
    backend,
    dataDir,
    storage,
    pid: () => child?.pid ?? null,
    start,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    dispose,
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
 * Registers hooks that connect to the run's server (on FerretDB's `backend`,
 * default SQLite; see the module comment), give this file a database of its
 * own (unique name) and drop it afterwards. Fails the file, never skips it,
 * when the run has no such server.
 */
export function useTestDatabase(options: { backend?: FerretDbBackend } = {}): TestDatabase {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  let state: TestDatabase | null = null;

  beforeAll(async () => {
    const provided = inject(options.backend === 'postgresql' ? 'mongoPostgresql' : 'mongo');
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
