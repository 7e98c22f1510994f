/**
 * Relayed floods (SECURITY.md): a callee's socket is never closed because of
 * what somebody else sent. A stranger who rings someone and floods offers
 * while the callee's link stalls gets their own frames dropped for that
 * connection (docs/API.md, "relayed data"), and the callee, once it reads
 * again, still has its socket and its call. Across two instances:
 * cluster.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, registerUser } from '../support/ws-client.js';
import { floodStalledCallee, UNLIMITED } from './helpers.js';

describe('a stranger flooding a stalled callee, one instance', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // The frame budget (100 at once) and call limits on; nothing else bites.
    server = await startTestServer({ rateLimits: true, rateLimitRules: UNLIMITED });
  });
  afterAll(() => server.close());

  it('keeps the callee socket open and its call going', async () => {
    const [mallory, bob] = await Promise.all(
      ['Mallory', 'Bob'].map((name) => registerUser(server.url, name)),
    );
    const caller = await connectWs(server.url, mallory!.token);
    const callee = await connectWs(server.url, bob!.token);
    await floodStalledCallee(caller, callee, bob!.userId);
    await Promise.all([caller.close(), callee.close()]);
  });

  it("keeps a stalled reader's socket open through a stranger's large messages", async () => {
    const [stranger, reader] = await Promise.all(
      ['Stranger', 'Reader'].map((name) => registerUser(server.url, name)),
    );
    const slow = await connectWs(server.url, reader!.token);
    slow.socket.pause();
    // 10 MiB of pushes, 256 KiB each: more than the kernel's buffers take.
    const content = '😀'.repeat(65_536);
    const sent = 40;
    for (let i = 0; i < sent; i++) {
      const answer = await callJson(server.url, 'POST', '/api/chat/send', {
        token: stranger!.token,
        body: { receiverId: reader!.userId, content },
      });
      expect(answer.status).toBe(201);
    }
    slow.socket.resume();
    await slow.roundTrip(10_000);
    expect(slow.socket.readyState).toBe(slow.socket.OPEN);
    // What the relay budget held back comes from the event log once the reader
    // reads again: every message, once, in seq order, and the socket stays open.
    await slow.waitFor((frame) => frame.seq === sent, 20_000);
    const pushed = slow.frames.filter((frame) => frame.type === 'new-message');
    expect(pushed.map((frame) => frame.seq)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(slow.socket.readyState).toBe(slow.socket.OPEN);
    // And every message is stored.
    const stored = await callJson(
      server.url,
      'GET',
      `/api/chat/messages/${stranger!.userId}?limit=100`,
      {
        token: reader!.token,
      },
    );
    expect(stored.status).toBe(200);
    expect(stored.body).toHaveLength(sent);
    await slow.close();
  });
});
