/**
 * Rate limits on a real server: the client's address from the socket, the
 * socket frame budget from the configuration, and limits shared by two
 * instances through Redis (`REDIS_URL`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_RULES } from '../../adapters/http/rate-limiters.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { findTestRedis, type TestRedis } from '../support/redis-server.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser } from '../support/ws-client.js';
import { UNLIMITED } from './helpers.js';

const servers: RunningServer[] = [];
async function server(...args: Parameters<typeof startTestServer>): Promise<RunningServer> {
  const started = await startTestServer(...args);
  servers.push(started);
  return started;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const registerBody = (n: number) => ({
  phoneNumber: `+1303${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(4, '0')}`,
  displayName: 'Someone',
  password: 'correct horse battery',
});

describe('on a real server', () => {
  it('keys per-IP limits by the socket peer, and answers 429 with Retry-After', async () => {
    const s = await server({
      rateLimits: true,
      rateLimitRules: {
        ...DEFAULT_RATE_LIMIT_RULES,
        registerPerIp: { points: 2, durationSec: 3600 },
      },
    });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof callJson>> | undefined;
    for (let i = 1; i <= 3; i++) {
      last = await callJson(s.url, 'POST', '/api/auth/register', {
        body: registerBody(i),
        // Spoofed: without TRUST_PROXY the header is not read.
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(last?.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(3500);
  });

  it('gives every socket the frame budget of RATE_LIMIT_WS_FRAME_BURST / _FRAMES_PER_SEC', async () => {
    const s = await server({ rateLimits: true, wsFrameBudget: { burst: 5, perSecond: 1 } });
    const alice = await registerUser(s.url, 'Alice');
    const socket = await connectWs(s.url, alice.token);
    for (let i = 0; i < 8; i++) socket.send('update-presence', { status: 'active' });
    await socket.waitFor(frameOf('error', { code: 'RATE_LIMITED' }));
    await socket.close();
  });

  it('with RATE_LIMITS=off, no socket frame budget either', async () => {
    const s = await server({ rateLimits: false, wsFrameBudget: { burst: 1, perSecond: 1 } });
    const alice = await registerUser(s.url, 'Alice');
    const socket = await connectWs(s.url, alice.token);
    for (let i = 0; i < 20; i++) socket.send('update-presence', { status: 'active' });
    await socket.roundTrip();
    await socket.expectNoFrame(frameOf('error', { code: 'RATE_LIMITED' }), 50);
    await socket.close();
  });
});

describe('with REDIS_URL, two instances share one count (API.md §8)', () => {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await findTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('refuses the 4th fetch of one target across two instances', async (ctx) => {
    if (redis === undefined) return ctx.skip();
    const rules = { ...UNLIMITED, bundlePerTarget: { points: 3, durationSec: 3600 } };
    const [a, b] = await Promise.all([
      server({ rateLimits: true, redisUrl: redis.url, rateLimitRules: rules }),
      server({ rateLimits: true, redisUrl: redis.url, rateLimitRules: rules }),
    ]);
    const [onA, onB] = await Promise.all([registerUser(a!.url, 'A'), registerUser(b!.url, 'B')]);
    // A target id no earlier run has counted: the key lives an hour in a shared Redis.
    const target = randomUUID().replaceAll('-', '').slice(0, 24);
    const fetchOn = (s: RunningServer, token: string) =>
      callJson(s.url, 'GET', `/api/keys/${target}/bundle`, { token });
    const statuses = [
      (await fetchOn(a!, onA.token)).status,
      (await fetchOn(b!, onB.token)).status,
      (await fetchOn(a!, onA.token)).status,
      (await fetchOn(b!, onB.token)).status,
      (await fetchOn(a!, onA.token)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
  });
});
