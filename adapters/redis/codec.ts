/**
 * @module A live call as Redis keeps it, and back: a hash, every field a
 * string (`''` for null, dates as milliseconds since the epoch).
 */
import type { CallId, CallMedia, LiveCall, LiveCallState, UserId } from '../../core/index.js';

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
