/**
 * A server configured for APNs and FCM (key file, service-account file, local
 * hosts, the test CA) rings sleeping iOS and Android devices of one callee,
 * then cancels both when the caller hangs up.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../apps/server/config.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import {
  type LocalApns,
  type LocalFcm,
  startLocalApns,
  startLocalFcm,
  testCertificate,
} from '../support/push-services.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser, type WsClient } from '../support/ws-client.js';

let apns: LocalApns;
let fcm: LocalFcm;
let server: RunningServer;
let socket: WsClient | undefined;

beforeAll(async () => {
  [apns, fcm] = await Promise.all([startLocalApns(), startLocalFcm()]);
  const config = loadConfig({
    PUSH_APNS_KEY_FILE: apns.keyFile,
    PUSH_APNS_KEY_ID: apns.keyId,
    PUSH_APNS_TEAM_ID: apns.teamId,
    PUSH_APNS_BUNDLE_ID: 'org.example.calls',
    PUSH_APNS_SANDBOX_URL: apns.url,
    PUSH_FCM_SERVICE_ACCOUNT_FILE: fcm.serviceAccountFile,
    PUSH_FCM_URL: fcm.url,
    PUSH_CA_FILE: (await testCertificate()).caFile,
  });
  server = await startTestServer({ push: config.push });
});

afterAll(async () => {
  await socket?.close();
  await server?.close();
  await Promise.all([apns?.close(), fcm?.close()]);
});

describe('APNs and FCM from a configured server', () => {
  it('rings an iPhone by VoIP push and an Android phone by FCM, then cancels both', async () => {
    const caller = await registerUser(server.url, 'Ann');
    // Two devices of one callee: a registration's session, then a login's.
    const phoneNumber = `+1303555${String(process.pid % 10_000).padStart(4, '0')}`;
    const signUp = await callJson(server.url, 'POST', '/api/auth/register', {
      body: { phoneNumber, displayName: 'Ben', password: 'correct horse battery' },
    });
    const callee = { userId: signUp.body.userId as string, token: signUp.body.token as string };
    const login = await callJson(server.url, 'POST', '/api/auth/login', {
      body: { phoneNumber, password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    const voipToken = 'cd'.repeat(32);
    const put = (token: string, body: unknown) =>
      callJson(server.url, 'PUT', '/api/auth/sessions/current/push', { token, body });
    expect(
      (
        await put(callee.token, {
          kind: 'apns',
          token: 'ab'.repeat(32),
          voipToken,
          environment: 'sandbox',
        })
      ).status,
    ).toBe(204);
    expect((await put(login.body.token, { kind: 'fcm', token: 'android-1' })).status).toBe(204);
    expect((await callJson(server.url, 'GET', '/api/push/vapid-public-key')).status).toBe(404);

    socket = await connectWs(server.url, caller.token);
    socket.send('call-user', { to: callee.userId, callId: 'native-1' });
    await socket.waitFor(frameOf('call-ringing', { callId: 'native-1' }));
    await vi.waitFor(() => {
      expect(apns.seen).toHaveLength(1);
      expect(fcm.seen).toHaveLength(1);
    });
    expect(apns.seen[0]).toMatchObject({
      path: `/3/device/${voipToken}`,
      authProblem: null,
      headers: { 'apns-push-type': 'voip', 'apns-topic': 'org.example.calls.voip' },
      body: { type: 'call', callId: 'native-1', fromDisplayName: 'Ann' },
    });
    expect(fcm.seen[0]).toMatchObject({
      authProblem: null,
      body: { message: { token: 'android-1', data: { type: 'call', callId: 'native-1' } } },
    });

    socket.send('call-ended', { callId: 'native-1' });
    await vi.waitFor(() => {
      expect(apns.seen).toHaveLength(2);
      expect(fcm.seen).toHaveLength(2);
    });
    expect(apns.seen[1]?.body).toMatchObject({ type: 'call-cancel', reason: 'hangup' });
    expect(fcm.seen[1]?.body).toMatchObject({
      message: { data: { type: 'call-cancel', callId: 'native-1', reason: 'hangup' } },
    });
  });
});
