/**
 * @module APNs over HTTP/2 with token-based (p8) authentication, as Apple
 * documents it ("Sending notification requests to APNs", "Establishing a
 * token-based connection to APNs"): one HTTP/2 session per APNs host, kept
 * open and reused; a provider JWT (ES256, `kid` the key id, `iss` the team
 * id, `iat`) signed with jose and renewed every 40 minutes (Apple refuses
 * tokens older than an hour and renewals more often than every 20). Which
 * push type, topic, priority and expiry each push gets: docs/API.md "Push
 * notifications".
 */
import http2 from 'node:http2';
import { importPKCS8, SignJWT } from 'jose';
import type { ApnsRegistration, PushDelivery } from '../../core/index.js';
import { type ProviderResult, type PushProvider, resultOfStatus } from './dispatcher.js';
import { CANCEL_TTL_SEC, collapseKeyOf, pushBody, SYNC_TTL_SEC } from './payload.js';

export interface ApnsProviderOptions {
  /** The .p8 key's PEM text. */
  readonly privateKey: string;
  readonly keyId: string;
  readonly teamId: string;
  readonly bundleId: string;
  /** Origins, e.g. `https://api.sandbox.push.apple.com`. */
  readonly sandboxUrl: string;
  readonly productionUrl: string;
  /** Extra CA certificates (PEM), for a local APNs in tests. */
  readonly ca?: string;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Renewal age of the provider token. */
const TOKEN_RENEWAL_MS = 40 * 60_000;

/** The request APNs gets for one push. */
export interface ApnsRequest {
  readonly deviceToken: string;
  readonly headers: Record<string, string>;
  readonly payload: Record<string, unknown>;
}

/** What to send for `delivery` (exported for the tests' expectations). */
export function apnsRequestOf(
  registration: ApnsRegistration,
  delivery: PushDelivery,
  bundleId: string,
  now: Date,
): ApnsRequest {
  const { message } = delivery;
  const body = pushBody(message);
  const epoch = (date: Date) => String(Math.floor(date.getTime() / 1000));
  const later = (sec: number) => epoch(new Date(now.getTime() + sec * 1000));
  const collapse = collapseKeyOf(message);
  const voip = (expiration: string): ApnsRequest => ({
    deviceToken: registration.voipToken!,
    headers: {
      'apns-push-type': 'voip',
      'apns-topic': `${bundleId}.voip`,
      'apns-priority': '10',
      'apns-expiration': expiration,
      'apns-collapse-id': collapse,
    },
    payload: { aps: {}, ...body },
  });
  switch (message.type) {
    case 'call':
      if (registration.voipToken !== null) return voip(epoch(message.deadline));
      return {
        deviceToken: registration.token,
        headers: {
          'apns-push-type': 'alert',
          'apns-topic': bundleId,
          'apns-priority': '10',
          'apns-expiration': epoch(message.deadline),
          'apns-collapse-id': collapse,
        },
        payload: {
          aps: {
            alert: {
              title: message.fromDisplayName,
              body: message.media === 'video' ? 'Incoming video call' : 'Incoming call',
            },
            sound: 'default',
            'interruption-level': 'time-sensitive',
          },
          ...body,
        },
      };
    case 'call-cancel':
      if (registration.voipToken !== null) return voip(later(CANCEL_TTL_SEC));
      return {
        deviceToken: registration.token,
        headers: {
          'apns-push-type': 'background',
          'apns-topic': bundleId,
          'apns-priority': '5',
          'apns-expiration': later(CANCEL_TTL_SEC),
          'apns-collapse-id': collapse,
        },
        payload: { aps: { 'content-available': 1 }, ...body },
      };
    case 'sync':
      return {
        deviceToken: registration.token,
        headers: {
          // Apple takes a push with nothing to show only as a background push.
          'apns-push-type': message.badge === undefined ? 'background' : 'alert',
          'apns-topic': bundleId,
          'apns-priority': '5',
          'apns-expiration': later(SYNC_TTL_SEC),
          'apns-collapse-id': collapse,
        },
        payload: {
          aps: {
            ...(message.badge !== undefined && { badge: message.badge }),
            'content-available': 1,
          },
          ...body,
        },
      };
  }
}

/** The APNs provider. */
export function createApnsProvider(options: ApnsProviderOptions): PushProvider {
  const timeout = options.timeoutMs ?? 10_000;
  const key = importPKCS8(options.privateKey, 'ES256');
  let token: { readonly value: Promise<string>; readonly at: number } | undefined;
  const sessions = new Map<string, http2.ClientHttp2Session>();

  function providerToken(now: number): Promise<string> {
    if (token === undefined || now - token.at >= TOKEN_RENEWAL_MS) {
      const value = key.then((k) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: options.keyId })
          .setIssuer(options.teamId)
          .setIssuedAt(Math.floor(now / 1000))
          .sign(k),
      );
      token = { value, at: now };
      value.catch(() => {
        if (token?.value === value) token = undefined;
      });
    }
    return token.value;
  }

  function sessionFor(origin: string): http2.ClientHttp2Session {
    const open = sessions.get(origin);
    if (open !== undefined && !open.closed && !open.destroyed) return open;
    const session = http2.connect(origin, options.ca === undefined ? {} : { ca: options.ca });
    const forget = () => {
      if (sessions.get(origin) === session) sessions.delete(origin);
    };
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    // An idle session must not keep the process alive.
    session.unref();
    sessions.set(origin, session);
    return session;
  }

  function post(
    origin: string,
    path: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = sessionFor(origin).request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/json',
        ...headers,
      });
      request.setTimeout(timeout, () => request.close(http2.constants.NGHTTP2_CANCEL));
      let responseHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      request.on('response', (h) => {
        responseHeaders = h;
      });
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        resolve({
          status: Number(responseHeaders[':status'] ?? 0),
          headers: responseHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      request.on('error', reject);
      request.on('close', () => {
        if (responseHeaders[':status'] === undefined) reject(new Error('APNs stream closed'));
      });
      request.end(body);
    });
  }

  return {
    name: 'apns',
    async send(delivery, now): Promise<ProviderResult> {
      const { registration } = delivery;
      if (registration.kind !== 'apns') {
        return { outcome: 'failed', detail: `not an APNs registration: ${registration.kind}` };
      }
      const request = apnsRequestOf(registration, delivery, options.bundleId, now);
      const origin =
        registration.environment === 'production' ? options.productionUrl : options.sandboxUrl;
      const answer = await post(
        origin,
        `/3/device/${request.deviceToken}`,
        { authorization: `bearer ${await providerToken(now.getTime())}`, ...request.headers },
        JSON.stringify(request.payload),
      );
      if (answer.status === 200) return { outcome: 'sent' };
      const reason = reasonOf(answer.body);
      const detail = `HTTP ${answer.status} ${reason}`;
      if (answer.status === 410 || (answer.status === 400 && reason === 'BadDeviceToken')) {
        return { outcome: 'gone', detail };
      }
      if (answer.status === 403 && /ProviderToken/.test(reason)) {
        // A token APNs no longer takes: the next try signs a new one.
        token = undefined;
        return { outcome: 'retry', retryAfterMs: null, detail };
      }
      return resultOfStatus(answer.status, answer.headers['retry-after'], now, detail);
    },
    async close() {
      for (const session of sessions.values()) session.close();
      sessions.clear();
    },
  };
}

/** APNs error bodies are `{ "reason": "…" }`. */
function reasonOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'reason' in parsed) {
      return String((parsed as { reason: unknown }).reason);
    }
  } catch {
    // Not JSON: no reason to report.
  }
  return '';
}
