/**
 * @module Push notification settings (docs/API.md "Push notifications"):
 * each provider is on when its variables are set, all or none; without any,
 * push is off and a call to a user with no socket ends `call-unavailable` as
 * before. Secrets come from the environment or from files it names; their
 * contents are read at start-up (compose.ts), never logged.
 */
import * as v from 'valibot';
import { wholeNumber } from './env-values.js';

const optionalText = (name: string) =>
  v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty(`${name} must not be empty`)));
const httpUrl = (name: string, fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^https?:\/\/[^\s/]+\/?$/, `${name} must be an http:// or https:// origin`),
    ),
    fallback,
  );

export const PUSH_ENV_ENTRIES = {
  PUSH_VAPID_PUBLIC_KEY: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{87}$/, 'PUSH_VAPID_PUBLIC_KEY must be 65 bytes of base64url'),
    ),
  ),
  PUSH_VAPID_PRIVATE_KEY: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{43}$/, 'PUSH_VAPID_PRIVATE_KEY must be 32 bytes of base64url'),
    ),
  ),
  PUSH_VAPID_SUBJECT: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^(mailto:|https:\/\/)\S+$/, 'PUSH_VAPID_SUBJECT must be a mailto: or https: URL'),
    ),
  ),
  PUSH_APNS_KEY_FILE: optionalText('PUSH_APNS_KEY_FILE'),
  PUSH_APNS_KEY_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Z0-9]{10}$/, 'PUSH_APNS_KEY_ID must be 10 letters or digits')),
  ),
  PUSH_APNS_TEAM_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Z0-9]{10}$/, 'PUSH_APNS_TEAM_ID must be 10 letters or digits')),
  ),
  PUSH_APNS_BUNDLE_ID: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9.-]{1,155}$/, 'PUSH_APNS_BUNDLE_ID must be an app bundle id'),
    ),
  ),
  PUSH_APNS_SANDBOX_URL: httpUrl('PUSH_APNS_SANDBOX_URL', 'https://api.sandbox.push.apple.com'),
  PUSH_APNS_PRODUCTION_URL: httpUrl('PUSH_APNS_PRODUCTION_URL', 'https://api.push.apple.com'),
  PUSH_FCM_SERVICE_ACCOUNT_FILE: optionalText('PUSH_FCM_SERVICE_ACCOUNT_FILE'),
  PUSH_FCM_URL: httpUrl('PUSH_FCM_URL', 'https://fcm.googleapis.com'),
  PUSH_CA_FILE: optionalText('PUSH_CA_FILE'),
  PUSH_ALLOW_PRIVATE_ENDPOINTS: v.optional(
    v.picklist(['on', 'off'], 'PUSH_ALLOW_PRIVATE_ENDPOINTS must be on or off'),
    'off',
  ),
  PUSH_QUEUE_SIZE: v.optional(wholeNumber('PUSH_QUEUE_SIZE', 1, 1_000_000), '10000'),
};

export interface PushConfig {
  readonly vapid: {
    readonly publicKey: string;
    readonly privateKey: string;
    readonly subject: string;
  } | null;
  readonly apns: {
    readonly keyFile: string;
    readonly keyId: string;
    readonly teamId: string;
    readonly bundleId: string;
    readonly sandboxUrl: string;
    readonly productionUrl: string;
  } | null;
  readonly fcm: { readonly serviceAccountFile: string; readonly url: string } | null;
  /** PEM file of extra CAs trusted for push services (private gateways, tests). */
  readonly caFile: string | null;
  /** Endpoints may be http: and local (tests only; refused in production). */
  readonly allowPrivateEndpoints: boolean;
  readonly queueSize: number;
}

type PushEnv = v.InferOutput<v.ObjectSchema<typeof PUSH_ENV_ENTRIES, undefined>>;

/** Groups are all-or-none; each missing variable of a started group is named. */
export function pushConfigFrom(
  out: PushEnv & { readonly NODE_ENV: string },
): { config: { push: PushConfig } } | { problems: string[] } {
  const problems: string[] = [];
  const group = <T>(names: Record<string, string | undefined>, build: () => T): T | null => {
    const entries = Object.entries(names);
    if (entries.every(([, value]) => value === undefined)) return null;
    const missing = entries.filter(([, value]) => value === undefined).map(([name]) => name);
    for (const name of missing) {
      problems.push(
        `${name} is required when ${entries
          .filter(([, value]) => value !== undefined)
          .map(([n]) => n)
          .join(', ')} is set: set every one of ${entries.map(([n]) => n).join(', ')}, or none`,
      );
    }
    return missing.length > 0 ? null : build();
  };
  const vapid = group(
    {
      PUSH_VAPID_PUBLIC_KEY: out.PUSH_VAPID_PUBLIC_KEY,
      PUSH_VAPID_PRIVATE_KEY: out.PUSH_VAPID_PRIVATE_KEY,
      PUSH_VAPID_SUBJECT: out.PUSH_VAPID_SUBJECT,
    },
    () => ({
      publicKey: out.PUSH_VAPID_PUBLIC_KEY!,
      privateKey: out.PUSH_VAPID_PRIVATE_KEY!,
      subject: out.PUSH_VAPID_SUBJECT!,
    }),
  );
  const apns = group(
    {
      PUSH_APNS_KEY_FILE: out.PUSH_APNS_KEY_FILE,
      PUSH_APNS_KEY_ID: out.PUSH_APNS_KEY_ID,
      PUSH_APNS_TEAM_ID: out.PUSH_APNS_TEAM_ID,
      PUSH_APNS_BUNDLE_ID: out.PUSH_APNS_BUNDLE_ID,
    },
    () => ({
      keyFile: out.PUSH_APNS_KEY_FILE!,
      keyId: out.PUSH_APNS_KEY_ID!,
      teamId: out.PUSH_APNS_TEAM_ID!,
      bundleId: out.PUSH_APNS_BUNDLE_ID!,
      sandboxUrl: out.PUSH_APNS_SANDBOX_URL.replace(/\/$/, ''),
      productionUrl: out.PUSH_APNS_PRODUCTION_URL.replace(/\/$/, ''),
    }),
  );
  const fcm =
    out.PUSH_FCM_SERVICE_ACCOUNT_FILE === undefined
      ? null
      : {
          serviceAccountFile: out.PUSH_FCM_SERVICE_ACCOUNT_FILE,
          url: out.PUSH_FCM_URL.replace(/\/$/, ''),
        };
  const allowPrivateEndpoints = out.PUSH_ALLOW_PRIVATE_ENDPOINTS === 'on';
  if (allowPrivateEndpoints && out.NODE_ENV === 'production') {
    problems.push(
      'PUSH_ALLOW_PRIVATE_ENDPOINTS=on lets clients aim requests at the server network and is refused in production: unset it',
    );
  }
  if (problems.length > 0) return { problems };
  return {
    config: {
      push: {
        vapid,
        apns,
        fcm,
        caFile: out.PUSH_CA_FILE ?? null,
        allowPrivateEndpoints,
        queueSize: out.PUSH_QUEUE_SIZE,
      },
    },
  };
}
