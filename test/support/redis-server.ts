/**
 * @module A Redis for tests that need one: `REDIS_URL` when set, else the
 * machine's own on 127.0.0.1:6379 when it answers (CI starts one), else a
 * `redis-server` started on a free port for this test file (through
 * `startRedisServer` of ./redis.ts). Without any of them the tests skip,
 * except under `CI=true`, where that is a failure.
 */
import { answers, startRedisServer } from './redis.js';

export interface TestRedis {
  readonly url: string;
  /** Stops the server if this helper started it. */
  stop(): Promise<void>;
}

/** A Redis to talk to, or undefined (tests skip) when none can be had outside CI. */
export async function findTestRedis(): Promise<TestRedis | undefined> {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') return { url: given, stop: async () => {} };
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, stop: async () => {} };
  try {
    const own = await startRedisServer();
    return { url: own.url, stop: own.stop };
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(
        `CI needs Redis: set REDIS_URL, run one on 127.0.0.1:6379, or install redis-server. (${String(error)})`,
      );
    }
    return undefined;
  }
}
