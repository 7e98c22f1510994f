/**
 * Where the session cache is on, seen from a client of one instance: on
 * MongoDB a session read in the last SESSION_CACHE_MS answers from memory
 * (a deletion that bypassed the server, so was never announced, is seen
 * only after that bound); on the memory store every request reads the
 * store, as before. Sessions ended through the server are refused at once
 * on both (the cluster file covers other instances).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Composition, compose, get, TOKENS } from '../../apps/server/compose.js';
import { type Config, loadConfig } from '../../apps/server/config.js';
import { createConsoleLogger } from '../../apps/server/logger.js';
import type { UserId } from '../../core/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { callJson, TEST_JWT_SECRET } from '../support/start-test-server.js';
import { registerUser, type TestUser } from '../support/ws-client.js';

const database = useTestDatabase();
const running: Composition[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((composition) => composition.close()));
});

/** A composed server on a free port; `rawSessions` is the store without the cache. */
async function serve(overrides: Partial<Config>) {
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, RATE_LIMITS: 'off' }),
    port: 0,
    host: '127.0.0.1',
    ...overrides,
  };
  const composition = await compose(config, { logger: createConsoleLogger({ silent: true }) });
  running.push(composition);
  const { server, hub, container } = composition;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.attach(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rawSessions: get(container, TOKENS.database).store.sessions,
  };
}

const profile = (url: string, user: TestUser) =>
  callJson(url, 'GET', `/api/users/${user.userId}/profile`, { token: user.token });

describe('the session cache', () => {
  it('on MongoDB, answers a session read within SESSION_CACHE_MS from memory', async () => {
    const { url, rawSessions } = await serve({
      mongodbUri: database.uri,
      sessionCacheMs: 60_000,
    });
    const user = await registerUser(url, 'Cached');
    expect((await profile(url, user)).status).toBe(200);
    // Deleted behind the server's back: nothing announced it.
    expect(await rawSessions.delete(user.userId as UserId, user.sessionId)).toBe(true);
    expect((await profile(url, user)).status).toBe(200);

    // Ended through the server: refused at once.
    const other = await registerUser(url, 'Ended');
    expect((await profile(url, other)).status).toBe(200);
    expect((await callJson(url, 'POST', '/api/auth/logout', { token: other.token })).status).toBe(
      204,
    );
    expect((await profile(url, other)).status).toBe(401);
  });

  it('on MongoDB with SESSION_CACHE_MS=0, reads the session from the store on every request', async () => {
    const { url, rawSessions } = await serve({ mongodbUri: database.uri, sessionCacheMs: 0 });
    const user = await registerUser(url, 'Uncached');
    expect((await profile(url, user)).status).toBe(200);
    expect(await rawSessions.delete(user.userId as UserId, user.sessionId)).toBe(true);
    expect((await profile(url, user)).status).toBe(401);
  });

  it('on the memory store, reads the session from the store on every request', async () => {
    const { url, rawSessions } = await serve({ mongodbUri: null, sessionCacheMs: 60_000 });
    const user = await registerUser(url, 'Memory');
    expect((await profile(url, user)).status).toBe(200);
    expect(await rawSessions.delete(user.userId as UserId, user.sessionId)).toBe(true);
    expect((await profile(url, user)).status).toBe(401);
  });
});
