/**
 * @module What every provider adapter shares: the JSON a push carries, how
 * long it may wait at the provider, and the collapse key that lets a cancel
 * replace its call push (docs/API.md "Push notifications").
 */
import { createHash } from 'node:crypto';
import type { PushMessage, PushRegistration } from '../../core/index.js';

/** How long a wake push may wait at the provider for an unreachable device. */
export const SYNC_TTL_SEC = 24 * 3600;
/** How long a cancel push may wait: after this the call push it answers has expired too. */
export const CANCEL_TTL_SEC = 3600;

/** The push's JSON body as a device reads it (Web Push payload, APNs custom keys, FCM data). */
export function pushBody(message: PushMessage): Record<string, string | number> {
  switch (message.type) {
    case 'call':
      return {
        type: 'call',
        callId: message.callId,
        from: message.from,
        fromDisplayName: message.fromDisplayName,
        media: message.media,
        deadline: message.deadline.toISOString(),
      };
    case 'call-cancel':
      return { type: 'call-cancel', callId: message.callId, reason: message.reason };
    case 'sync':
      return {
        type: 'sync',
        seq: message.seq,
        ...(message.badge !== undefined && { badge: message.badge }),
      };
  }
}

/** Whole seconds the push may wait at the provider; a call push lives until its ring deadline. */
export function ttlSecOf(message: PushMessage, now: Date): number {
  switch (message.type) {
    case 'call':
      return Math.max(0, Math.floor((message.deadline.getTime() - now.getTime()) / 1000));
    case 'call-cancel':
      return CANCEL_TTL_SEC;
    case 'sync':
      return SYNC_TTL_SEC;
  }
}

/** When a retry is pointless: a call push after its deadline (the call has stopped ringing). */
export function expiresAt(message: PushMessage, queuedAt: Date): Date {
  if (message.type === 'call') return message.deadline;
  return new Date(queuedAt.getTime() + ttlSecOf(message, queuedAt) * 1000);
}

/**
 * The collapse key of a push: the call id for a call and its cancel (so the
 * cancel replaces a call push not yet delivered), `sync` for wake pushes.
 * Web Push `Topic` allows at most 32 URL-safe base64 characters and APNs
 * `apns-collapse-id` 64 bytes, so a call id that does not fit is replaced by
 * the first 32 characters of base64url(SHA-256(callId)).
 */
export function collapseKeyOf(message: PushMessage): string {
  if (message.type === 'sync') return 'sync';
  const id = message.callId;
  if (/^[A-Za-z0-9_-]{1,32}$/.test(id)) return id;
  return createHash('sha256').update(id).digest('base64url').slice(0, 32);
}

/** A registration's address without secrets, for logs (the end of a token or endpoint). */
export function describeRegistration(registration: PushRegistration): string {
  switch (registration.kind) {
    case 'webpush':
    case 'unifiedpush':
      return `${registration.kind} ${URL.canParse(registration.endpoint) ? new URL(registration.endpoint).host : '?'}`;
    case 'apns':
    case 'fcm':
      return `${registration.kind} …${registration.token.slice(-6)}`;
  }
}
