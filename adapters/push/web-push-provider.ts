/**
 * @module Web Push and UnifiedPush (RFC 8030 delivery, RFC 8291 payload
 * encryption, RFC 8292 VAPID) with the `web-push` library: it does the
 * encryption and the VAPID JWT, which are easy to get subtly wrong by hand.
 *
 * An endpoint is a URL the client chose, so every request goes through an
 * agent whose DNS lookup refuses loopback, private, link-local and other
 * special addresses (the registration rules already refuse IP literals and
 * `localhost`): a name that resolves into our network is never connected to.
 * `allowPrivateEndpoints` (tests) lifts that.
 */
import dns from 'node:dns';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import webpush, { type Urgency, WebPushError } from 'web-push';
import type { PushDelivery } from '../../core/index.js';
import { type ProviderResult, type PushProvider, resultOfStatus } from './dispatcher.js';
import { collapseKeyOf, pushBody, ttlSecOf } from './payload.js';

export interface VapidSettings {
  /** base64url, uncompressed P-256 point (what `GET /api/push/vapid-public-key` answers). */
  readonly publicKey: string;
  /** base64url, 32 bytes. */
  readonly privateKey: string;
  /** `mailto:` or `https:` contact for push services (RFC 8292 `sub`). */
  readonly subject: string;
}

export interface WebPushProviderOptions {
  readonly vapid: VapidSettings;
  /** Extra CA certificates (PEM) to trust, for a push service behind a private CA (tests). */
  readonly ca?: string;
  readonly allowPrivateEndpoints?: boolean;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
}

/** Addresses no push service has: loopback, private, link-local, CGNAT, unspecified, multicast. */
const SPECIAL_ADDRESSES = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 127],
    ['64:ff9b::', 96],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/** True for an address a push endpoint may not resolve to. */
export function isSpecialAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (isIP(v4) === 4) return SPECIAL_ADDRESSES.check(v4, 'ipv4');
  }
  return SPECIAL_ADDRESSES.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `dns.lookup`, refusing names that resolve to a special address. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, '', 4);
      return;
    }
    const refused = addresses.find((entry) => isSpecialAddress(entry.address));
    if (refused !== undefined || addresses.length === 0) {
      const denied = Object.assign(
        new Error(`Push endpoint ${hostname} resolves to a non-public address`),
        { code: 'EPUSHADDRESS' },
      );
      callback(denied, '', 4);
      return;
    }
    if (options.all) {
      (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    } else {
      callback(null, addresses[0]!.address, addresses[0]!.family);
    }
  });
};

const URGENCY: Record<PushDelivery['message']['type'], Urgency> = {
  call: 'high',
  'call-cancel': 'high',
  sync: 'normal',
};

/** The Web Push provider (kinds `webpush` and `unifiedpush`). */
export function createWebPushProvider(options: WebPushProviderOptions): PushProvider {
  const agent = new https.Agent({
    keepAlive: true,
    ...(options.ca !== undefined && { ca: options.ca }),
    ...(options.allowPrivateEndpoints ? {} : { lookup: publicOnlyLookup }),
  });
  const vapidDetails = { ...options.vapid };
  const timeout = options.timeoutMs ?? 10_000;

  return {
    name: 'webpush',
    async send(delivery, now): Promise<ProviderResult> {
      const { registration, message } = delivery;
      if (registration.kind !== 'webpush' && registration.kind !== 'unifiedpush') {
        return { outcome: 'failed', detail: `not a Web Push registration: ${registration.kind}` };
      }
      const ttl = ttlSecOf(message, now);
      if (ttl <= 0) return { outcome: 'failed', detail: 'expired before it was sent' };
      try {
        await webpush.sendNotification(
          { endpoint: registration.endpoint, keys: { ...registration.keys } },
          JSON.stringify(pushBody(message)),
          {
            vapidDetails,
            TTL: ttl,
            urgency: URGENCY[message.type],
            topic: collapseKeyOf(message),
            agent,
            timeout,
          },
        );
        return { outcome: 'sent' };
      } catch (error) {
        if (!(error instanceof WebPushError)) {
          return { outcome: 'retry', retryAfterMs: null, detail: String(error) };
        }
        const status = error.statusCode;
        const detail = `HTTP ${status}`;
        if (status === 404 || status === 410) return { outcome: 'gone', detail };
        return resultOfStatus(status, error.headers['retry-after'], now, detail);
      }
    },
    async close() {
      agent.destroy();
    },
  };
}
