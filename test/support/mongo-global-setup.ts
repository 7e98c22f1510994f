/**
 * @module Vitest global setup: one MongoDB-compatible server per `vitest run`,
 * shared by every project that lists this file, its URI provided to the test
 * files as `inject('mongo')`. Prints which server the run uses, once. Without
 * a server the run fails under `CI=true`; elsewhere the files that need one
 * fail with the how-to (`useTestDatabase`) while the others still run.
 */
import type { TestProject } from 'vitest/node';
import { type ProvidedMongo, startMongoServer, type TestMongoServer } from './mongo.js';

interface Shared {
  readonly started: Promise<TestMongoServer | Error>;
  users: number;
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
    shared = {
      started: startMongoServer().then(
        (server) => {
          console.log(`[mongo] this run uses ${server.description}`);
          return server;
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          console.error(`[mongo] ${failure.message}`);
          return failure;
        },
      ),
      users: 0,
    };
    holder[KEY] = shared;
  }
  shared.users++;
  const server = await shared.started;

  if (server instanceof Error) {
    if (isCi()) throw server;
    const provided: ProvidedMongo = { uri: null, description: 'none', error: server.message };
    project.provide('mongo', provided);
  } else {
    project.provide('mongo', { uri: server.uri, description: server.description, error: null });
  }

  return async () => {
    const current = holder[KEY];
    if (!current || --current.users > 0) return;
    delete holder[KEY];
    const started = await current.started;
    if (!(started instanceof Error)) await started.stop();
  };
}
