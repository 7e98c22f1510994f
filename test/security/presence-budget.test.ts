/**
 * `subscribe-presence` spends the profile read budget (SECURITY.md): the
 * socket resolves ids to presence and last-seen times like
 * `POST /api/users/presence` does, so both spend one point per id from one
 * budget per caller (across two instances: cluster.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, registerUser, type TestUser } from '../support/ws-client.js';
import { UNLIMITED } from './helpers.js';

const RULES = { ...UNLIMITED, profileReadsPerUser: { points: 5, durationSec: 3600 } };

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Subscribes to `ids` on a fresh socket of `user`; the frames that answered, and the socket closed. */
async function subscribeOn(server: RunningServer, user: TestUser, ids: string[]) {
  const socket = await connectWs(server.url, user.token);
  socket.send('subscribe-presence', { userIds: ids });
  await socket.roundTrip();
  // Not the round trip's own answer (an unknown type).
  const answered = socket.frames.filter(
    (frame) =>
      frame.type === 'presence-update' ||
      (frame.type === 'error' && frame.payload.code !== 'UNKNOWN_EVENT'),
  );
  const open = socket.socket.readyState === socket.socket.OPEN;
  await socket.close();
  return { answered, open };
}

async function expectBudgetShared(ws: RunningServer, http: RunningServer): Promise<void> {
  const [reader, ...others] = await Promise.all(
    ['Reader', 'A', 'B', 'C', 'D'].map((name) => registerUser(ws.url, name)),
  );
  const ids = others.map((user) => user!.userId);

  // 3 + 3 > 5: the second frame is refused whole and follows nobody.
  const first = await subscribeOn(ws, reader!, ids.slice(0, 3));
  expect(first.answered.map((frame) => frame.type)).toEqual([
    'presence-update',
    'presence-update',
    'presence-update',
  ]);
  const second = await subscribeOn(ws, reader!, ids.slice(0, 3));
  expect(second.answered).toHaveLength(1);
  expect(second.answered[0]).toMatchObject({
    type: 'error',
    payload: { code: 'RATE_LIMITED', type: 'subscribe-presence', retryAfter: expect.any(Number) },
  });
  expect(second.open).toBe(true);

  // The HTTP pull spends the same budget: 3 spent (and 3 refused) of 5, so 2 ids still fit, 3 do not.
  const pull = (userIds: string[]) =>
    callJson(http.url, 'POST', '/api/users/presence', {
      token: reader!.token,
      body: { userIds },
    });
  expect((await pull(ids.slice(0, 3))).status).toBe(429);

  // Another caller's budget is untouched.
  const other = await subscribeOn(ws, others[0]!, ids.slice(1, 4));
  expect(other.answered.map((frame) => frame.type)).toEqual([
    'presence-update',
    'presence-update',
    'presence-update',
  ]);
}

describe('subscribe-presence and the profile read budget', () => {
  it('share one budget per caller on one instance', async () => {
    const server = await startTestServer({ rateLimits: true, rateLimitRules: RULES });
    servers.push(server);
    await expectBudgetShared(server, server);
  });

  it('with RATE_LIMITS=off, subscribing spends nothing', async () => {
    const server = await startTestServer({ rateLimits: false, rateLimitRules: RULES });
    servers.push(server);
    const [reader, a] = await Promise.all(['Reader', 'A'].map((n) => registerUser(server.url, n)));
    for (let i = 0; i < 8; i++) {
      const { answered } = await subscribeOn(server, reader!, [a!.userId]);
      expect(answered.map((frame) => frame.type)).toEqual(['presence-update']);
    }
  });
});
