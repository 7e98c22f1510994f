/**
 * @module FCM HTTP v1 (`projects/<id>/messages:send`) with a service-account
 * credential, as Google documents it: an OAuth 2.0 access token from the
 * account's `token_uri` by the JWT-bearer grant (RFC 7523; an RS256
 * assertion signed with jose, `scope` firebase.messaging), cached until a
 * minute before it expires. Every push is a data message (the app decides
 * what to show); values are strings as FCM requires. docs/API.md "Push
 * notifications" says which priority, TTL and collapse key each push gets.
 */
import { importPKCS8, SignJWT } from 'jose';
import type { PushDelivery } from '../../core/index.js';
import { type ProviderResult, type PushProvider, resultOfStatus } from './dispatcher.js';
import { collapseKeyOf, pushBody, ttlSecOf } from './payload.js';

/** The fields of a Firebase service-account JSON file the provider reads. */
export interface ServiceAccount {
  readonly project_id: string;
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly token_uri: string;
}

export interface FcmProviderOptions {
  readonly serviceAccount: ServiceAccount;
  /** Default `https://fcm.googleapis.com`. */
  readonly url?: string;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Reads a service-account file's JSON; throws naming the missing field. */
export function parseServiceAccount(text: string): ServiceAccount {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error('The FCM service account is not a JSON object');
  }
  const account = parsed as Record<string, unknown>;
  for (const field of ['project_id', 'client_email', 'private_key', 'token_uri']) {
    if (typeof account[field] !== 'string' || account[field] === '') {
      throw new Error(`The FCM service account has no ${field}`);
    }
  }
  return account as unknown as ServiceAccount;
}

/** The `message` of messages:send for `delivery` (exported for the tests' expectations). */
export function fcmMessageOf(token: string, delivery: PushDelivery, now: Date) {
  const { message } = delivery;
  const data = Object.fromEntries(
    Object.entries(pushBody(message)).map(([key, value]) => [key, String(value)]),
  );
  return {
    token,
    data,
    android: {
      priority: 'HIGH',
      ttl: `${ttlSecOf(message, now)}s`,
      collapse_key: collapseKeyOf(message),
    },
  };
}

export function createFcmProvider(options: FcmProviderOptions): PushProvider {
  const { serviceAccount } = options;
  const base = (options.url ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const timeout = options.timeoutMs ?? 10_000;
  const key = importPKCS8(serviceAccount.private_key, 'RS256');
  let access: { readonly token: Promise<string>; expiresAt: number } | undefined;

  async function fetchAccessToken(now: number): Promise<{ token: string; expiresAt: number }> {
    const assertion = await new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(serviceAccount.private_key_id && { kid: serviceAccount.private_key_id }),
      })
      .setIssuer(serviceAccount.client_email)
      .setAudience(serviceAccount.token_uri)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(await key);
    const response = await fetch(serviceAccount.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }),
      signal: AbortSignal.timeout(timeout),
    });
    if (!response.ok) throw new Error(`FCM OAuth token: HTTP ${response.status}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new Error('FCM OAuth token: no access_token');
    const lifetimeSec = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return { token: body.access_token, expiresAt: now + (lifetimeSec - 60) * 1000 };
  }

  function accessToken(now: number): Promise<string> {
    if (access === undefined || now >= access.expiresAt) {
      const pending = fetchAccessToken(now);
      const entry = { token: pending.then((t) => t.token), expiresAt: Number.POSITIVE_INFINITY };
      access = entry;
      pending.then(
        (t) => {
          entry.expiresAt = t.expiresAt;
        },
        () => {
          if (access === entry) access = undefined;
        },
      );
    }
    return access.token;
  }

  return {
    name: 'fcm',
    async send(delivery, now): Promise<ProviderResult> {
      const { registration } = delivery;
      if (registration.kind !== 'fcm') {
        return { outcome: 'failed', detail: `not an FCM registration: ${registration.kind}` };
      }
      const response = await fetch(
        `${base}/v1/projects/${encodeURIComponent(serviceAccount.project_id)}/messages:send`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await accessToken(now.getTime())}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ message: fcmMessageOf(registration.token, delivery, now) }),
          signal: AbortSignal.timeout(timeout),
        },
      );
      if (response.ok) return { outcome: 'sent' };
      const error = await errorOf(response);
      const detail = `HTTP ${response.status} ${error.status} ${error.errorCode}`.trim();
      if (error.errorCode === 'UNREGISTERED') {
        return { outcome: 'gone', detail };
      }
      if (response.status === 401) {
        // The access token was refused: the next try asks for a new one.
        access = undefined;
        return { outcome: 'retry', retryAfterMs: null, detail };
      }
      return resultOfStatus(response.status, response.headers.get('retry-after'), now, detail);
    },
  };
}

/** `error.status` and the `FcmError` detail's `errorCode` of an FCM error body, when present. */
async function errorOf(response: Response): Promise<{ status: string; errorCode: string }> {
  try {
    const body = (await response.json()) as {
      error?: { status?: unknown; details?: { '@type'?: unknown; errorCode?: unknown }[] };
    };
    const detail = body.error?.details?.find((d) => String(d['@type']).endsWith('FcmError'));
    return {
      status: String(body.error?.status ?? ''),
      errorCode: String(detail?.errorCode ?? ''),
    };
  } catch {
    return { status: '', errorCode: '' };
  }
}
