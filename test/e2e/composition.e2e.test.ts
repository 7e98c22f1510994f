/**
 * The composition root closes what it opened through tsyringe: one
 * `container.dispose()` stops the HTTP listener and closes the sockets with
 * 1001, then the push queue, the Redis backplane, MongoDB, the argon2 threads
 * and the rate limiters' Redis connection, each after the one before it has
 * finished (apps/server/compose.ts, `CLOSING_ORDER`); a start that fails
 * half-way closes the part it had opened.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compose, get, TOKENS } from '../../apps/server/compose.js';
import { loadConfig } from '../../apps/server/config.js';
import { createConsoleLogger, type Logger } from '../../apps/server/logger.js';
import { useTestDatabase } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';
import { TEST_JWT_SECRET } from '../support/start-test-server.js';
import { connectWs, registerUser } from '../support/ws-client.js';

const database = useTestDatabase();
const redis = useTestRedis();

describe('the composition', () => {
  it('closes sockets, pushes, Redis, MongoDB, the hasher and the limiters in order on container.dispose()', async () => {
    const base = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: database.uri,
      REDIS_URL: redis.url,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    const config = {
      ...base,
      port: 0,
      host: '127.0.0.1',
      redisKeyPrefix: redis.prefix('compose'),
      // Rate limits on, so that their Redis connection is opened; the counts of
      // 127.0.0.1 in that shared Redis must not refuse this file's registration.
      rateLimitRules: { ...base.rateLimitRules, registerPerIp: { points: 1000, durationSec: 1 } },
    };
    const composition = await compose(config, { logger: createConsoleLogger({ silent: true }) });
    const { container, server, hub } = composition;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hub.attach(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const user = await registerUser(url, 'Closing');
    const socket = await connectWs(url, user.token);

    const cluster = get(container, TOKENS.cluster);
    if (cluster === null) throw new Error('REDIS_URL is set: the backplane should be on');
    const passwords = get(container, TOKENS.passwords);
    const order: string[] = [];
    /** Records when `target` starts and ends closing; it still closes. */
    const watch = (name: string, target: { close(): Promise<void> }) => {
      const close = target.close.bind(target);
      target.close = async () => {
        order.push(`${name} starts`);
        await close();
        order.push(`${name} ends`);
      };
    };
    watch('http', get(container, TOKENS.http));
    watch('hub', hub);
    watch('pushes', get(container, TOKENS.pushes));
    watch('cluster', cluster);
    watch('database', get(container, TOKENS.database));
    watch('passwords', passwords);
    watch('limiters', get(container, TOKENS.rateLimiters));

    const disposed = container.dispose();
    // The listener closed before dispose() returned: no new connection is taken.
    expect(server.listening).toBe(false);
    await disposed;

    // Draining and the sockets' closing run together, and both end before the rest starts.
    expect(order.slice(0, 2)).toEqual(['http starts', 'hub starts']);
    expect(order.slice(2, 4).sort()).toEqual(['http ends', 'hub ends']);
    expect(order.slice(4)).toEqual([
      'pushes starts',
      'pushes ends',
      'cluster starts',
      'cluster ends',
      'database starts',
      'database ends',
      'passwords starts',
      'passwords ends',
      'limiters starts',
      'limiters ends',
    ]);
    expect((await socket.waitForClose()).code).toBe(1001);
    expect(await cluster.status()).toBe('down');
    await expect(passwords.hash('after the end')).rejects.toThrow('The password hasher is closed.');
  });

  it('closes what it opened when a start fails half-way', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      info: (message) => lines.push(message),
      warn: () => {},
      error: () => {},
      request: () => {},
    };
    const base = loadConfig({ NODE_ENV: 'test', REDIS_URL: redis.url, RATE_LIMITS: 'off' });
    const config = {
      ...base,
      redisKeyPrefix: redis.prefix('failed'),
      // Read when the push queue is made: after the backplane has connected.
      push: { ...base.push, caFile: '/nonexistent/push-ca.pem' },
    };
    await expect(compose(config, { logger })).rejects.toThrow(/ENOENT/);
    const instance = /Redis backplane on: instance (\w+)/.exec(lines.join('\n'))?.[1];
    expect(instance).toBeDefined();
    const clients = String(await redis.client.call('CLIENT', 'LIST'));
    expect(clients).toContain('name=');
    expect(clients).not.toContain(`name=mycalls:${instance}:`);
  });
});
