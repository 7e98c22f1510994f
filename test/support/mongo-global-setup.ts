/**
 * @module Vitest global setup: the MongoDB-compatible servers of a `vitest
 * run`, shared by every project that lists this file, their URIs provided to
 * the test files as `inject('mongo')` (FerretDB on SQLite) and
 * `inject('mongoPostgresql')` (FerretDB on PostgreSQL; the same server as the
 * first when that is `MONGODB_URI` or a real mongod). Prints which servers the
 * run uses, once. Without a server the run fails under `CI=true`; elsewhere
 * the files that need one fail with the how-to (`useTestDatabase`) while the
 * others still run.
 */
import type { TestProject } from 'vitest/node';
import {
  type ProvidedMongo,
  startMongoServer,
  startTestFerretDb,
  type TestMongoServer,
} from './mongo.js';

interface Shared {
  readonly started: Promise<TestMongoServer | Error>;
  readonly startedPostgresql: Promise<TestMongoServer | Error>;
  users: number;
}

function announce(started: Promise<TestMongoServer>): Promise<TestMongoServer | Error> {
  return started.then(
    (server) => {
      console.log(`[mongo] this run uses ${server.description}`);
      return server;
    },
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      console.error(`[mongo] ${failure.message}`);
      return failure;
    },
  );
}

function provided(server: TestMongoServer | Error): ProvidedMongo {
  return server instanceof Error
    ? { uri: null, description: 'none', error: server.message }
    : { uri: server.uri, description: server.description, error: null };
}

const KEY = Symbol.for('my-calls.test-mongo-server');
const holder = globalThis as typeof globalThis & { [KEY]?: Shared };

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = holder[KEY];
  if (!shared) {
    const started = announce(startMongoServer('sqlite'));
    shared = {
      started,
      // A second server only when the first is FerretDB (on SQLite).
      startedPostgresql: started.then((first) =>
        first instanceof Error || first.ferretDbBackend === null
          ? first
          : announce(startTestFerretDb('postgresql')),
      ),
      users: 0,
    };
    holder[KEY] = shared;
  }
  shared.users++;
  const [server, postgresql] = await Promise.all([shared.started, shared.startedPostgresql]);

  for (const each of [server, postgresql]) if (each instanceof Error && isCi()) throw each;
  project.provide('mongo', provided(server));
  project.provide('mongoPostgresql', provided(postgresql));

  return async () => {
    const current = holder[KEY];
    if (!current || --current.users > 0) return;
    delete holder[KEY];
    const [first, second] = await Promise.all([current.started, current.startedPostgresql]);
    for (const each of new Set([first, second])) if (!(each instanceof Error)) await each.stop();
  };
}
