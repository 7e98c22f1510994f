/**
 * @module Pure rules of call signaling (API.md §7): call ids, glare order,
 * who holds which side of a call, and what of a client's frame is passed on.
 */
import { isCallMedia, type SessionId, type UserId } from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import type { PassthroughFields } from '../../ports/notifier.js';
import { codePointLength, isWellFormed, type Rule } from '../../rules.js';

/** `CALL_RING_TIMEOUT`'s default: a call rings for at most 60 s. */
export const DEFAULT_RING_TIMEOUT_MS = 60_000;

/** A client-chosen `callId` has 1–64 code points. */
export const MAX_CALL_ID_LENGTH = 64;

/** 1–64 code points of well-formed text (it must survive UTF-8 round trips). */
export function isValidCallId(value: string): boolean {
  const length = codePointLength(value);
  return length >= 1 && length <= MAX_CALL_ID_LENGTH && isWellFormed(value);
}

export const CALL_ID_RULE: Rule = {
  test: isValidCallId,
  message: `Must be 1–${MAX_CALL_ID_LENGTH} characters.`,
};

export const CALL_MEDIA_RULE: Rule = { test: isCallMedia, message: 'Must be audio or video.' };

/**
 * Glare order: negative when `a` comes first. Code point order, which equals
 * the byte order of the UTF-8 encodings (a Redis Lua `<` agrees); plain `<`
 * on JS strings does not for characters beyond U+FFFF.
 */
export function compareCallIds(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const diff = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
}

/** The scheduler key of a call's ring timeout. */
export function ringTimeoutKey(callId: string): string {
  return `ring-timeout:${callId}`;
}

export type CallSide = 'caller' | 'callee';

/**
 * The history status of a call that ends without the callee declining it:
 * completed once answered, else missed.
 */
export function endStatus(call: Pick<LiveCall, 'state'>): 'completed' | 'missed' {
  return call.state === 'accepted' ? 'completed' : 'missed';
}

/**
 * Which side of `call` the connection holds, or null when it holds none. The
 * caller's side is its calling connection; the callee's is every callee
 * connection while ringing, then the accepting one only.
 */
export function sideOf(call: LiveCall, userId: UserId, connectionId: string): CallSide | null {
  if (userId === call.callerId && connectionId === call.callerConnectionId) return 'caller';
  if (
    userId === call.calleeId &&
    (call.state === 'ringing' || connectionId === call.calleeConnectionId)
  ) {
    return 'callee';
  }
  return null;
}

/** The client's fields the server passes on: all but `callId`, `from` and `reason`. */
export function passthrough(payload: PassthroughFields): PassthroughFields {
  const { callId: _callId, from: _from, reason: _reason, ...rest } = payload;
  return rest;
}

/** Whole seconds between answer and end (rounded down); null for a call never answered. */
export function callDurationSec(answeredAt: Date | null, endedAt: Date): number | null {
  if (answeredAt === null) return null;
  return Math.max(0, Math.floor((endedAt.getTime() - answeredAt.getTime()) / 1000));
}

/** The payload of any frame about an existing call; other fields are passed on untouched. */
export interface CallFrame extends PassthroughFields {
  readonly callId: string;
}

/** A frame about an existing call, from one connection of a user. */
export interface CallFrameInput {
  readonly userId: UserId;
  readonly connectionId: string;
  /** The device session of the connection: it needs no push about its own step. */
  readonly sessionId?: SessionId;
  readonly payload: CallFrame;
}
