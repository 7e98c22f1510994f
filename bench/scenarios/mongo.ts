/**
 * @module The run's MongoDB-compatible server, started on first use: the one
 * `MONGODB_URI` names, else FerretDB 1.24 on SQLite (test/support/mongo.ts
 * builds it once with `go` and starts it in a temporary directory). FerretDB
 * is not pinned: it takes CPU wherever the scheduler puts it, in the
 * product's rounds and the baseline's alike.
 */
import { ensureFerretDb, type FerretDbProcess, startFerretDb } from '../../test/support/mongo.js';

export function startBenchMongo() {
  let started: Promise<{ uri: string; description: string; pid: number | null }> | undefined;
  let ferret: FerretDbProcess | undefined;
  let description = 'not used';
  return {
    get() {
      started ??= (async () => {
        const given = process.env.MONGODB_URI;
        if (given) {
          description = `MONGODB_URI (${given.replace(/\/\/[^@/]*@/, '//***@')})`;
          return { uri: given, description, pid: null };
        }
        console.log('[bench] starting FerretDB (SQLite) for the database scenarios');
        ferret = await startFerretDb({ binary: await ensureFerretDb() });
        description = `FerretDB v1.24.2 on SQLite at ${ferret.uri}`;
        return { uri: ferret.uri, description, pid: ferret.pid() };
      })();
      return started;
    },
    description: () => description,
    async stop() {
      await ferret?.dispose();
    },
  };
}
