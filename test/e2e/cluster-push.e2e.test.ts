/**
 * Push across instances (docs/API.md "Push notifications", "Many
 * instances"): the callee's only device sleeps, registered through instance
 * B; the caller on A calls; exactly one call push reaches the device (Web
 * Push, through web-push-testing behind a TLS proxy), not one per instance;
 * the device wakes, connects to A within the ring window, is rung right after
 * `ready` and accepts; the call completes and is in both histories.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { historyWhen, useCluster } from '../support/cluster.js';
import {
  startWebPushService,
  testCertificate,
  type WebPushService,
} from '../support/push-services.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser } from '../support/ws-client.js';

let push: WebPushService;
const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  push = await startWebPushService();
  const env = {
    ...push.env,
    PUSH_CA_FILE: (await testCertificate()).caFile,
    PUSH_ALLOW_PRIVATE_ENDPOINTS: 'on',
    CALL_RING_TIMEOUT: '30',
  };
  [a, b] = await Promise.all([cluster.start('A', env), cluster.start('B', env)]);
});

afterAll(async () => {
  await push?.close();
});

describe('a call to a sleeping device across instances', () => {
  it('pushes once, rings the device that connects to another instance, and completes', async () => {
    const caller = await registerUser(a.url, 'Caller on A');
    const callee = await registerUser(b.url, 'Callee on B');
    const subscription = await push.subscribe();
    const put = await callJson(b.url, 'PUT', '/api/auth/sessions/current/push', {
      token: callee.token,
      body: { kind: 'webpush', endpoint: subscription.endpoint, keys: subscription.keys },
    });
    expect(put.status).toBe(204);
    // The device was online on B, then went to sleep: no socket anywhere.
    const before = await cluster.connect(callee, b);
    await before.close();

    const callerSocket = await cluster.connect(caller, a);
    await vi.waitFor(async () => {
      const presence = await callJson(a.url, 'POST', '/api/users/presence', {
        token: caller.token,
        body: { userIds: [callee.userId] },
      });
      expect(presence.body[callee.userId]?.status).toBe('offline');
    });
    callerSocket.send('call-user', { to: callee.userId, callId: 'cluster-push-1' });
    await callerSocket.waitFor(frameOf('call-ringing', { callId: 'cluster-push-1' }));

    await vi.waitFor(async () =>
      expect(await push.messages(subscription.clientHash)).toHaveLength(1),
    );
    const ring = JSON.parse((await push.messages(subscription.clientHash))[0]!);
    expect(ring).toMatchObject({ type: 'call', callId: 'cluster-push-1', from: caller.userId });

    const woken = await cluster.connect(callee, a);
    await woken.waitFor(frameOf('call-user', { callId: 'cluster-push-1' }));
    woken.send('call-accepted', { callId: 'cluster-push-1', sdp: 'answer' });
    await callerSocket.waitFor(frameOf('call-accepted', { callId: 'cluster-push-1' }));
    callerSocket.send('call-ended', { callId: 'cluster-push-1' });
    await woken.waitFor(frameOf('call-ended', { callId: 'cluster-push-1' }));

    for (const [server, token] of [
      [a, caller.token],
      [b, callee.token],
    ] as const) {
      const calls = await historyWhen(server, token, (list) => list[0]?.status === 'completed');
      expect(calls[0]).toMatchObject({ _id: 'cluster-push-1', status: 'completed' });
    }
    // Exactly one push reached the device: no instance sent a second one, and the
    // device that answered got no cancel.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(push.seen.filter((s) => s.clientHash === subscription.clientHash)).toHaveLength(1);
    expect(await push.messages(subscription.clientHash)).toHaveLength(1);
  });
});
