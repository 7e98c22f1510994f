/**
 * FCM HTTP v1 against a local server that checks the service account's
 * JWT-bearer grant, hands out access tokens and answers Google's documented
 * errors (test/support/push-services.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallId, PushDelivery, PushMessage, SessionId, UserId } from '../../core/index.js';
import {
  FCM_UNREGISTERED,
  type LocalFcm,
  startLocalFcm,
} from '../../test/support/push-services.js';
import { createFixedClock } from '../memory/clock.js';
import type { PushProvider } from './dispatcher.js';
import { createFcmProvider, parseServiceAccount } from './fcm-provider.js';

let fcm: LocalFcm;
let provider: PushProvider;
const clock = createFixedClock(new Date());

beforeAll(async () => {
  fcm = await startLocalFcm();
  provider = createFcmProvider({
    serviceAccount: parseServiceAccount(readFileSync(fcm.serviceAccountFile, 'utf8')),
    url: fcm.url,
  });
});
afterAll(async () => {
  await fcm?.close();
});

function delivery(token: string, message: PushMessage): PushDelivery {
  return {
    userId: 'u1' as UserId,
    sessionId: 's1' as SessionId,
    registration: { kind: 'fcm', token },
    message,
  };
}

const lastFor = (token: string) =>
  fcm.seen.filter((r) => (r.body.message as { token?: string })?.token === token).at(-1);

describe('FCM provider', () => {
  it('gets an access token by the JWT-bearer grant once, and sends a call as a high-priority data message', async () => {
    const message: PushMessage = {
      type: 'call',
      callId: 'call-fcm-1' as CallId,
      from: 'u-caller' as UserId,
      fromDisplayName: 'Ann',
      media: 'audio',
      deadline: new Date(clock.now().getTime() + 45_000),
    };
    expect(await provider.send(delivery('tok-1', message), clock.now())).toEqual({
      outcome: 'sent',
    });
    const seen = lastFor('tok-1')!;
    expect(seen.authProblem).toBeNull();
    expect(seen.path).toBe(`/v1/projects/${fcm.projectId}/messages:send`);
    expect(seen.body).toEqual({
      message: {
        token: 'tok-1',
        data: {
          type: 'call',
          callId: 'call-fcm-1',
          from: 'u-caller',
          fromDisplayName: 'Ann',
          media: 'audio',
          deadline: message.deadline.toISOString(),
        },
        android: { priority: 'HIGH', ttl: '45s', collapse_key: 'call-fcm-1' },
      },
    });
    await provider.send(delivery('tok-2', { type: 'sync', seq: 7, badge: 2 }), clock.now());
    expect(lastFor('tok-2')?.body).toMatchObject({
      message: {
        data: { type: 'sync', seq: '7', badge: '2' },
        android: { ttl: '86400s', collapse_key: 'sync' },
      },
    });
    expect(fcm.tokensIssued).toBe(1);
  });

  it('calls UNREGISTERED gone, retries QUOTA_EXCEEDED after Retry-After, and asks for a new token after a 401', async () => {
    fcm.script('dead', FCM_UNREGISTERED);
    expect(
      (await provider.send(delivery('dead', { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('gone');
    fcm.script('busy', {
      status: 429,
      headers: { 'retry-after': '30' },
      body: {
        error: {
          code: 429,
          status: 'RESOURCE_EXHAUSTED',
          details: [
            {
              '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
              errorCode: 'QUOTA_EXCEEDED',
            },
          ],
        },
      },
    });
    expect(
      await provider.send(delivery('busy', { type: 'sync', seq: 1, badge: 0 }), clock.now()),
    ).toMatchObject({
      outcome: 'retry',
      retryAfterMs: 30_000,
    });
    fcm.script('bad', { status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT' } } });
    expect(
      (await provider.send(delivery('bad', { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('failed');
    fcm.script('auth', { status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    const before = fcm.tokensIssued;
    expect(
      (await provider.send(delivery('auth', { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('retry');
    expect(
      (await provider.send(delivery('auth', { type: 'sync', seq: 1, badge: 0 }), clock.now()))
        .outcome,
    ).toBe('sent');
    expect(fcm.tokensIssued).toBe(before + 1);
  });

  it('names what a service account file lacks', () => {
    expect(() => parseServiceAccount('{"project_id":"p"}')).toThrow('has no client_email');
    expect(() => parseServiceAccount('[]')).toThrow();
  });
});
