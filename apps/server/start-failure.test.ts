import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectMongo, mongoHosts } from '../../adapters/mongo/connect.js';
import { connectRedis, redisHost } from '../../adapters/redis/connect.js';
import { freePort } from '../../test/support/free-port.js';
import { describeStartFailure } from './start-failure.js';

const listen = { host: '127.0.0.1', port: 3000 };

/** The error `connect` rejects with. */
async function rejection(connect: () => Promise<unknown>): Promise<unknown> {
  try {
    await connect();
  } catch (error) {
    return error;
  }
  throw new Error('expected the connection to fail');
}

describe('describeStartFailure', () => {
  let held: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (held ? held.close(resolve) : resolve(undefined)));
    held = undefined;
  });

  it('names MONGODB_URI, the host and the cause, never the password, and says what to do', async () => {
    const port = await freePort();
    const error = await rejection(() =>
      connectMongo(`mongodb://alice:s3cret@127.0.0.1:${port}/mycalls`, {
        serverSelectionTimeoutMS: 300,
      }),
    );
    const line = describeStartFailure(error, listen);
    expect(line).toBe(
      `MONGODB_URI: MongoDB at 127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}). Start MongoDB there or correct MONGODB_URI; or unset MONGODB_URI to use the embedded in-memory store (development only).`,
    );
  });

  it('names a MongoDB host that does not resolve', async () => {
    const error = await rejection(() =>
      connectMongo('mongodb://db.invalid:27017', { serverSelectionTimeoutMS: 300 }),
    );
    expect(describeStartFailure(error, listen)).toMatch(
      /^MONGODB_URI: MongoDB at db\.invalid:27017 cannot be reached \(getaddrinfo (ENOTFOUND|EAI_AGAIN) db\.invalid\)\. /,
    );
  });

  it('names REDIS_URL, the host and the cause, never the password, and says what to do', async () => {
    const port = await freePort();
    const error = await rejection(() =>
      connectRedis(`redis://:s3cret@127.0.0.1:${port}`, { connectTimeoutMs: 500 }),
    );
    expect(describeStartFailure(error, listen)).toBe(
      `REDIS_URL: Redis at 127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}). Start Redis there or correct REDIS_URL; or unset REDIS_URL to run this instance on its own.`,
    );
  });

  it('says a port in use is in use, and how to pick another', async () => {
    const port = await freePort();
    held = createServer();
    await new Promise<void>((resolve) => held!.listen(port, '127.0.0.1', resolve));
    const error = await new Promise((resolve) => {
      const second = createServer();
      second.once('error', resolve);
      second.listen(port, '127.0.0.1');
    });
    expect(describeStartFailure(error, { host: '127.0.0.1', port })).toBe(
      `PORT: 127.0.0.1:${port} is already in use by another process. Stop that process, or set PORT to a free port (PORT=0 picks one).`,
    );
  });

  it('leaves unknown failures to the caller (they are logged with their stack)', () => {
    expect(describeStartFailure(new TypeError('boom'), listen)).toBeNull();
  });
});

describe('store addresses in start-up messages', () => {
  it('keep the hosts of a MongoDB URI and drop its credentials', () => {
    expect(mongoHosts('mongodb://u:p@a:1,b:2/db?replicaSet=rs')).toBe('a:1,b:2');
    expect(mongoHosts('mongodb+srv://cluster0.example.net/db')).toBe('cluster0.example.net');
  });

  it('keep the host and port of a Redis URL and drop its password', () => {
    expect(redisHost('rediss://default:pw@cache.example.net:6380/0')).toBe(
      'cache.example.net:6380',
    );
    expect(redisHost('redis://localhost')).toBe('localhost:6379');
  });
});
