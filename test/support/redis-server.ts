/**
 * @module A Redis for tests that need one: `REDIS_URL` when set, else the
 * machine's own on 127.0.0.1:6379 when it answers (CI starts one), else a
 * `redis-server` started on a free port for this test file. Without any of
 * them the tests skip, except under `CI=true`, where that is a failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface TestRedis {
  readonly url: string;
  /** Stops the server if this helper started it. */
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
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

async function spawnRedis(): Promise<TestRedis | undefined> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  const failed = new Promise<boolean>((resolve) => child.once('error', () => resolve(true)));
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const outcome = await Promise.race([
      failed,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
    ]);
    if (outcome) return undefined;
    if (await answers(url)) {
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
  }
  child.kill('SIGKILL');
  return undefined;
}

/** A Redis to talk to, or undefined (tests skip) when none can be had outside CI. */
export async function findTestRedis(): Promise<TestRedis | undefined> {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: async () => {} };
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, stop: async () => {} };
  const started = await spawnRedis();
  if (started === undefined && process.env.CI === 'true') {
    throw new Error(
      'CI needs Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server.',
    );
  }
  return started;
}
