/**
 * @module What crosses Redis, and back: a live call as a hash (every field a
 * string; `''` for null, dates as milliseconds since the epoch) and a
 * notification as JSON (dates as ISO strings, turned back into `Date`s).
 */
import type {
  CallId,
  CallMedia,
  CallRecord,
  LiveCall,
  LiveCallState,
  Message,
  Notification,
  UserId,
} from '../../core/index.js';

/**
 * A hash as a record: from a script's flat `[field, value, …]` reply, or
 * from ioredis' `hgetall` object; null when empty.
 */
export function recordOf(flat: unknown): Record<string, string> | null {
  if (typeof flat === 'object' && flat !== null && !Array.isArray(flat)) {
    const entries = Object.entries(flat);
    return entries.length === 0
      ? null
      : Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  }
  if (!Array.isArray(flat) || flat.length === 0) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** A live call from its hash; null for an empty reply. */
export function liveCallOf(flat: unknown): LiveCall | null {
  const h = recordOf(flat);
  if (h === null || h.callId === undefined) return null;
  return {
    callId: h.callId as CallId,
    callerId: h.callerId as UserId,
    calleeId: h.calleeId as UserId,
    media: h.media as CallMedia,
    state: h.state as LiveCallState,
    callerConnectionId: h.callerConnectionId ?? '',
    calleeConnectionId: h.calleeConnectionId ? h.calleeConnectionId : null,
    startedAt: new Date(Number(h.startedAt)),
    answeredAt: h.answeredAt ? new Date(Number(h.answeredAt)) : null,
    ringDeadline: new Date(Number(h.ringDeadline)),
  };
}

/**
 * A notification read back from its JSON form (`JSON.stringify`), dates
 * revived; null for
 * anything else (it is then dropped, never delivered half-read).
 */
export function decodeNotification(value: unknown): Notification | null {
  if (typeof value !== 'object' || value === null) return null;
  const raw = value as Record<string, unknown>;
  switch (raw.type) {
    case 'new-message': {
      const message = raw.message as Record<string, unknown> | undefined;
      if (typeof message?.createdAt !== 'string') return null;
      return logged(raw, {
        type: 'new-message',
        message: { ...message, createdAt: new Date(message.createdAt) } as unknown as Message,
      });
    }
    case 'message-delivered':
      return logged(raw, { deliveredAt: dateOf(raw.deliveredAt) });
    case 'messages-read':
    case 'conversation-read':
      return logged(raw, { readAt: dateOf(raw.readAt) });
    case 'missed-call': {
      const call = raw.call as Record<string, unknown> | undefined;
      if (typeof call !== 'object' || call === null) return null;
      const revived = {
        ...call,
        startedAt: dateOf(call.startedAt),
        answeredAt: call.answeredAt === null ? null : dateOf(call.answeredAt),
        endedAt: call.endedAt === null ? null : dateOf(call.endedAt),
      } as unknown as CallRecord;
      return logged(raw, { call: revived });
    }
    case 'typing':
      return raw as unknown as Notification;
    case 'presence-update':
      return {
        ...(raw as Notification & { type: 'presence-update' }),
        lastSeen: typeof raw.lastSeen === 'string' ? new Date(raw.lastSeen) : null,
      };
    case 'prekeys-low':
      return raw as unknown as Notification;
    default:
      // Call events: their payload is already what goes on the wire (JSON).
      if (typeof raw.type !== 'string' || typeof raw.payload !== 'object' || raw.payload === null) {
        return null;
      }
      return raw as unknown as Notification;
  }
}

/** A logged event: `seq` a number, `at` and the event's own dates revived. */
function logged(
  raw: Record<string, unknown>,
  revived: Record<string, unknown>,
): Notification | null {
  if (typeof raw.seq !== 'number' || typeof raw.at !== 'string') return null;
  return { ...raw, ...revived, at: new Date(raw.at) } as unknown as Notification;
}

function dateOf(value: unknown): Date {
  return new Date(typeof value === 'string' ? value : Number.NaN);
}
