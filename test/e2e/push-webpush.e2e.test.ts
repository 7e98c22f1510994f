/**
 * Web Push end to end (docs/API.md "Push notifications"), against
 * web-push-testing, a local RFC 8030 push service that checks the VAPID JWT
 * and decrypts the RFC 8291 payload, behind a TLS proxy: registration, a call
 * to a device whose only way in is its push subscription, its cancel, and the
 * deletion of a subscription the service calls expired (410).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../apps/server/config.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import {
  startWebPushService,
  testCertificate,
  type WebPushService,
} from '../support/push-services.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser, type WsClient } from '../support/ws-client.js';

const RING_SEC = 20;
let push: WebPushService;
let server: RunningServer;
const sockets: WsClient[] = [];

beforeAll(async () => {
  push = await startWebPushService();
  const { caFile } = await testCertificate();
  const env = loadConfig({ ...push.env, PUSH_CA_FILE: caFile, PUSH_ALLOW_PRIVATE_ENDPOINTS: 'on' });
  server = await startTestServer({ push: env.push, callRingTimeoutSec: RING_SEC });
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await server?.close();
  await push?.close();
});

async function connect(token: string) {
  const socket = await connectWs(server.url, token);
  sockets.push(socket);
  return socket;
}

/** A caller with a socket and a callee whose only device is a Web Push subscription. */
async function callerAndSleepingCallee() {
  const caller = await registerUser(server.url, 'Caroline');
  const callee = await registerUser(server.url, 'Dmitri');
  const subscription = await push.subscribe();
  const put = await callJson(server.url, 'PUT', '/api/auth/sessions/current/push', {
    token: callee.token,
    body: { kind: 'webpush', endpoint: subscription.endpoint, keys: subscription.keys },
  });
  expect(put.status).toBe(204);
  return { caller, callee, subscription, socket: await connect(caller.token) };
}

const payloads = async (clientHash: string) =>
  (await push.messages(clientHash)).map((text) => JSON.parse(text) as Record<string, unknown>);

describe('Web Push', () => {
  it('answers the VAPID public key', async () => {
    const res = await callJson(server.url, 'GET', '/api/push/vapid-public-key');
    expect(res).toMatchObject({ status: 200, body: { publicKey: push.env.PUSH_VAPID_PUBLIC_KEY } });
  });

  it('rings a sleeping device with a decryptable call push, then cancels it on hang-up', async () => {
    const { caller, callee, subscription, socket } = await callerAndSleepingCallee();
    const before = Date.now();
    socket.send('call-user', { to: callee.userId, callId: 'wp-call-1', media: 'video' });
    await socket.waitFor(frameOf('call-ringing', { callId: 'wp-call-1' }));
    await vi.waitFor(async () => expect(await payloads(subscription.clientHash)).toHaveLength(1));
    const [ring] = await payloads(subscription.clientHash);
    expect(ring).toMatchObject({
      type: 'call',
      callId: 'wp-call-1',
      from: caller.userId,
      fromDisplayName: 'Caroline',
      media: 'video',
    });
    const deadline = Date.parse(String(ring!.deadline));
    expect(deadline).toBeGreaterThanOrEqual(before + RING_SEC * 1000 - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + RING_SEC * 1000);
    const [delivery] = push.seen.filter((s) => s.clientHash === subscription.clientHash);
    expect(delivery!.status).toBe(201);
    expect(delivery!.headers.urgency).toBe('high');
    expect(delivery!.headers.topic).toBe('wp-call-1');
    expect(Number(delivery!.headers.ttl)).toBeGreaterThan(RING_SEC - 3);
    expect(Number(delivery!.headers.ttl)).toBeLessThanOrEqual(RING_SEC);
    expect(delivery!.headers['content-encoding']).toBe('aes128gcm');

    socket.send('call-ended', { callId: 'wp-call-1' });
    await vi.waitFor(async () => expect(await payloads(subscription.clientHash)).toHaveLength(2));
    expect((await payloads(subscription.clientHash))[1]).toEqual({
      type: 'call-cancel',
      callId: 'wp-call-1',
      reason: 'hangup',
    });
    const cancel = push.seen.filter((s) => s.clientHash === subscription.clientHash)[1]!;
    expect(cancel.headers).toMatchObject({ urgency: 'high', topic: 'wp-call-1' });
    const history = await callJson(server.url, 'GET', '/api/calls', { token: callee.token });
    expect(history.body[0]).toMatchObject({ _id: 'wp-call-1', status: 'missed' });
  });

  it('delivers the ringing call-user to the device right after ready, and it can accept', async () => {
    const { callee, subscription, socket } = await callerAndSleepingCallee();
    socket.send('call-user', { to: callee.userId, callId: 'wp-call-2' });
    await vi.waitFor(async () => expect(await payloads(subscription.clientHash)).toHaveLength(1));
    const woken = await connect(callee.token);
    await woken.waitFor(frameOf('call-user', { callId: 'wp-call-2' }));
    woken.send('call-accepted', { callId: 'wp-call-2', sdp: 'answer' });
    await socket.waitFor(frameOf('call-accepted', { callId: 'wp-call-2' }));
    woken.send('call-ended', { callId: 'wp-call-2' });
    await socket.waitFor(frameOf('call-ended', { callId: 'wp-call-2' }));
    const history = await callJson(server.url, 'GET', '/api/calls', { token: callee.token });
    expect(history.body[0]).toMatchObject({ _id: 'wp-call-2', status: 'completed' });
    // The device that answered is not told to stop ringing.
    expect(await payloads(subscription.clientHash)).toHaveLength(1);
  });

  it('deletes a subscription the push service calls expired (410)', async () => {
    const { callee, subscription, socket } = await callerAndSleepingCallee();
    await push.expire(subscription.clientHash);
    socket.send('call-user', { to: callee.userId, callId: 'wp-call-3' });
    await socket.waitFor(frameOf('call-ringing', { callId: 'wp-call-3' }));
    await vi.waitFor(async () => {
      const session = await server.deps.sessions.findById(callee.sessionId);
      expect(session?.push).toBeUndefined();
    });
    expect(push.seen.find((s) => s.clientHash === subscription.clientHash)?.status).toBe(410);
    // Frames of one socket are handled in order: the hang-up ends the call before the next one.
    socket.send('call-ended', { callId: 'wp-call-3' });
    // With no registration left, the next call is unavailable at once.
    socket.send('call-user', { to: callee.userId, callId: 'wp-call-4' });
    expect(
      (await socket.waitFor(frameOf('call-unavailable', { callId: 'wp-call-4' }))).payload,
    ).toMatchObject({ reason: 'offline' });
  });

  it('wakes a sleeping device with a content-free sync push when a message is logged for it', async () => {
    const { caller, callee, subscription } = await callerAndSleepingCallee();
    const sent = await callJson(server.url, 'POST', '/api/chat/send', {
      token: caller.token,
      body: { receiverId: callee.userId, content: 'secret words' },
    });
    expect(sent.status).toBe(201);
    await vi.waitFor(async () => expect(await payloads(subscription.clientHash)).toHaveLength(1));
    const [wake] = await payloads(subscription.clientHash);
    // The badge: the one message the callee has not read.
    expect(wake).toEqual({ type: 'sync', seq: expect.any(Number), badge: 1 });
    const sync = await callJson(server.url, 'GET', `/api/sync?since=${Number(wake!.seq) - 1}`, {
      token: callee.token,
    });
    expect(JSON.stringify(sync.body)).toContain('secret words');
    const delivery = push.seen.filter((s) => s.clientHash === subscription.clientHash)[0]!;
    expect(delivery.headers).toMatchObject({ urgency: 'normal', topic: 'sync', ttl: '86400' });
  });

  it('refuses what cannot be pushed to, and removes the registration with the session', async () => {
    const user = await registerUser(server.url, 'Eve');
    const put = (body: unknown) =>
      callJson(server.url, 'PUT', '/api/auth/sessions/current/push', { token: user.token, body });
    const apns = await put({ kind: 'apns', token: 'ab'.repeat(32), environment: 'sandbox' });
    expect(apns.status).toBe(400);
    expect(apns.body.error.details).toEqual([
      expect.objectContaining({ path: 'kind', message: 'This server does not send apns pushes.' }),
    ]);
    const subscription = await push.subscribe();
    expect((await put({ kind: 'webpush', ...subscription })).status).toBe(204);
    const del = await callJson(server.url, 'DELETE', '/api/auth/sessions/current/push', {
      token: user.token,
    });
    expect(del.status).toBe(204);
    expect((await server.deps.sessions.findById(user.sessionId))?.push).toBeUndefined();
    expect((await put({ kind: 'webpush', ...subscription })).status).toBe(204);
    await callJson(server.url, 'POST', '/api/auth/logout', { token: user.token });
    expect(await server.deps.sessions.findById(user.sessionId)).toBeNull();
  });
});
