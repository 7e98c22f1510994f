/**
 * APNs against a local HTTP/2 TLS server that checks the provider JWT and
 * answers Apple's documented errors (test/support/push-services.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApnsRegistration,
  CallId,
  PushDelivery,
  PushMessage,
  SessionId,
  UserId,
} from '../../core/index.js';
import {
  type LocalApns,
  startLocalApns,
  testCertificate,
} from '../../test/support/push-services.js';
import { createFixedClock } from '../memory/clock.js';
import { createMemorySessionRepository } from '../memory/session-repository.js';
import { createApnsProvider } from './apns-provider.js';
import { createPushDispatcher, type PushProvider } from './dispatcher.js';

let apns: LocalApns;
let provider: PushProvider;
const clock = createFixedClock(new Date());
const BUNDLE = 'org.example.calls';

beforeAll(async () => {
  apns = await startLocalApns();
  provider = createApnsProvider({
    privateKey: readFileSync(apns.keyFile, 'utf8'),
    keyId: apns.keyId,
    teamId: apns.teamId,
    bundleId: BUNDLE,
    sandboxUrl: apns.url,
    productionUrl: apns.url.replace('localhost', '127.0.0.1'),
    ca: (await testCertificate()).cert,
  });
});
afterAll(async () => {
  await provider?.close?.();
  await apns?.close();
});

let counter = 0;
function registration(voip: boolean, environment: 'sandbox' | 'production' = 'sandbox') {
  counter += 1;
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  return {
    kind: 'apns',
    token: hex(counter * 2),
    voipToken: voip ? hex(counter * 2 + 1) : null,
    environment,
  } satisfies ApnsRegistration;
}

const call = (): PushMessage => ({
  type: 'call',
  callId: 'call-apns-1' as CallId,
  from: 'u-caller' as UserId,
  fromDisplayName: 'Ann',
  media: 'video',
  deadline: new Date(clock.now().getTime() + 30_000),
});

function delivery(reg: ApnsRegistration, message: PushMessage): PushDelivery {
  return { userId: 'u1' as UserId, sessionId: 's1' as SessionId, registration: reg, message };
}

const lastFor = (token: string) => apns.seen.filter((r) => r.path === `/3/device/${token}`).at(-1);

describe('APNs provider', () => {
  it('sends a call as a VoIP push with the documented headers and a valid provider JWT', async () => {
    const reg = registration(true);
    expect(await provider.send(delivery(reg, call()), clock.now())).toEqual({ outcome: 'sent' });
    const seen = lastFor(reg.voipToken!)!;
    expect(seen.authProblem).toBeNull();
    expect(seen.headers[':method']).toBe('POST');
    expect(seen.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(seen.headers).toMatchObject({
      'apns-push-type': 'voip',
      'apns-topic': `${BUNDLE}.voip`,
      'apns-priority': '10',
      'apns-expiration': String(Math.floor((clock.now().getTime() + 30_000) / 1000)),
      'apns-collapse-id': 'call-apns-1',
    });
    expect(seen.body).toEqual({
      aps: {},
      type: 'call',
      callId: 'call-apns-1',
      from: 'u-caller',
      fromDisplayName: 'Ann',
      media: 'video',
      deadline: new Date(clock.now().getTime() + 30_000).toISOString(),
    });
  });

  it('sends a call without a VoIP token as a time-sensitive alert, and its cancel as a background push', async () => {
    const reg = registration(false);
    await provider.send(delivery(reg, call()), clock.now());
    expect(lastFor(reg.token)).toMatchObject({
      headers: { 'apns-push-type': 'alert', 'apns-topic': BUNDLE, 'apns-priority': '10' },
      body: {
        aps: {
          alert: { title: 'Ann', body: 'Incoming video call' },
          'interruption-level': 'time-sensitive',
        },
      },
    });
    const cancel: PushMessage = {
      type: 'call-cancel',
      callId: 'call-apns-1' as CallId,
      reason: 'hangup',
    };
    await provider.send(delivery(reg, cancel), clock.now());
    expect(lastFor(reg.token)).toMatchObject({
      headers: {
        'apns-push-type': 'background',
        'apns-priority': '5',
        'apns-collapse-id': 'call-apns-1',
      },
      body: { aps: { 'content-available': 1 }, type: 'call-cancel', reason: 'hangup' },
    });
  });

  it('sends a wake push as a badge alert at priority 5, to the production host for production tokens', async () => {
    const reg = registration(true, 'production');
    await provider.send(delivery(reg, { type: 'sync', seq: 42, badge: 3 }), clock.now());
    const seen = lastFor(reg.token)!;
    expect(seen.headers[':authority']).toMatch(/^127\.0\.0\.1:/);
    expect(seen).toMatchObject({
      headers: { 'apns-push-type': 'alert', 'apns-priority': '5', 'apns-collapse-id': 'sync' },
      body: { aps: { badge: 3, 'content-available': 1 }, type: 'sync', seq: 42, badge: 3 },
    });
  });

  it('maps the documented errors: 410 Unregistered and 400 BadDeviceToken are gone, 429 retries after Retry-After', async () => {
    const gone = registration(false);
    apns.script(gone.token, { status: 410, body: { reason: 'Unregistered', timestamp: 1 } });
    expect(
      (await provider.send(delivery(gone, { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('gone');
    const bad = registration(false);
    apns.script(bad.token, { status: 400, body: { reason: 'BadDeviceToken' } });
    expect(
      (await provider.send(delivery(bad, { type: 'sync', seq: 1, badge: 0 }), clock.now())).outcome,
    ).toBe('gone');
    const busy = registration(false);
    apns.script(busy.token, {
      status: 429,
      body: { reason: 'TooManyRequests' },
      headers: { 'retry-after': '12' },
    });
    expect(
      await provider.send(delivery(busy, { type: 'sync', seq: 1, badge: 0 }), clock.now()),
    ).toMatchObject({
      outcome: 'retry',
      retryAfterMs: 12_000,
    });
    const topic = registration(false);
    apns.script(topic.token, { status: 400, body: { reason: 'DeviceTokenNotForTopic' } });
    expect(
      (await provider.send(delivery(topic, { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('failed');
  });

  it('deletes the registration of a token APNs calls Unregistered, through the queue', async () => {
    const sessions = createMemorySessionRepository();
    const reg = registration(true);
    const now = clock.now();
    await sessions.create({
      id: 's1' as SessionId,
      userId: 'u1' as UserId,
      deviceName: 'iPhone',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
    });
    await sessions.setPush('u1' as UserId, 's1' as SessionId, reg);
    apns.script(reg.voipToken!, { status: 410, body: { reason: 'Unregistered', timestamp: 1 } });
    const dispatcher = createPushDispatcher({ providers: { apns: provider }, sessions, clock });
    dispatcher.send([delivery(reg, call())]);
    await dispatcher.idle();
    expect((await sessions.findById('s1'))?.push).toBeUndefined();
  });
});
