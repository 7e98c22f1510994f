import {
  DomainError,
  type ErrorCode,
  RateLimitedError,
  ValidationError,
  type ValidationIssue,
} from '../../core/index.js';
import {
  CLIENT_FRAME_SCHEMAS,
  type ClientFrameType,
  type ClientPayload,
} from '../wire/frame-schemas.js';
import type { ServerFrame } from '../wire/push.js';
import { validate } from '../wire/validate.js';

/** Close codes the hub uses (API.md §7). */
export const CLOSE_CODES = {
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  tokenExpired: 4401,
} as const;

/**
 * Deepest nesting of objects and arrays a frame may have. Relayed fields are
 * sent on as they came, and a deeper value could not be serialized again.
 */
export const MAX_FRAME_DEPTH = 32;

// The client frames' payload schemas live in the wire module, where the
// protocol's documents (x-websocket, AsyncAPI) are generated from them too.
export {
  CLIENT_FRAME_SCHEMAS,
  type ClientFrameType,
  type ClientPayload,
  MAX_PRESENCE_IDS,
} from '../wire/frame-schemas.js';
// Push frames are built where notifications enter the notifier (wire/push.ts).
export { notificationFrame, presenceUpdateFrame, type ServerFrame } from '../wire/push.js';

/** A client frame whose envelope is sound and whose type is known; the payload is still unchecked. */
export interface ClientEnvelope {
  readonly type: ClientFrameType;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The error a bad frame is answered with; `type` is the offending frame's type when it had one. */
export class FrameError extends DomainError {
  readonly frameType: string | undefined;
  readonly details: readonly ValidationIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { frameType?: string; details?: readonly ValidationIssue[] } = {},
  ) {
    super(code, message);
    this.name = 'FrameError';
    this.frameType = options.frameType;
    this.details = options.details;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isClientFrameType(type: string): type is ClientFrameType {
  return Object.hasOwn(CLIENT_FRAME_SCHEMAS, type);
}

/**
 * Reads a text frame's envelope. Throws `FrameError`: `INVALID_JSON` (not
 * JSON), `VALIDATION_FAILED` (not an object, nested deeper than
 * `MAX_FRAME_DEPTH`, `type` not a string, `payload` not an object),
 * `UNKNOWN_EVENT` (a type no handler takes).
 */
export function parseEnvelope(text: string): ClientEnvelope {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new FrameError('INVALID_JSON', 'The frame is not valid JSON.');
  }
  if (!isRecord(frame)) {
    throw invalid('A frame must be an object { type, payload }.', '', undefined);
  }
  if (depthExceeds(frame, MAX_FRAME_DEPTH)) {
    throw invalid(`A frame may nest at most ${MAX_FRAME_DEPTH} levels deep.`, '', undefined);
  }
  const { type, payload } = frame;
  if (typeof type !== 'string') throw invalid('type must be a string.', 'type', undefined);
  if (!isClientFrameType(type)) {
    throw new FrameError('UNKNOWN_EVENT', `Unknown event type "${clip(type)}".`, {
      frameType: clip(type),
    });
  }
  if (!isRecord(payload)) throw invalid('payload must be an object.', 'payload', type);
  return { type, payload };
}

/** The payload checked against its type's schema; `VALIDATION_FAILED` with `payload.`-prefixed paths. */
export function parsePayload<T extends ClientFrameType>(
  type: T,
  payload: Readonly<Record<string, unknown>>,
): ClientPayload<T> {
  try {
    return validate(CLIENT_FRAME_SCHEMAS[type], payload) as ClientPayload<T>;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const details = error.details.map(inPayload);
    throw new FrameError('VALIDATION_FAILED', 'The frame is not valid.', {
      frameType: type,
      details,
    });
  }
}

/**
 * Whether `value` nests objects or arrays more than `limit` levels deep. The
 * recursion stops `limit` levels down, so however deep the frame, the stack
 * stays shallow; and it allocates nothing (it runs on every frame).
 */
function depthExceeds(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (depthExceeds(item, limit - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (depthExceeds((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}

function invalid(message: string, path: string, frameType: string | undefined): FrameError {
  return new FrameError('VALIDATION_FAILED', message, {
    ...(frameType === undefined ? {} : { frameType }),
    details: [{ path, message }],
  });
}

/** Echoed types are cut short: an error frame never carries much of what it refuses. */
function clip(type: string): string {
  return type.length > 64 ? `${type.slice(0, 64)}…` : type;
}

/**
 * `ready { userId, connectionId, sessionId, seq }`, the first frame of every
 * connection; `seq` is the position live pushes go on from.
 */
export function readyFrame(
  userId: string,
  connectionId: string,
  sessionId: string,
  seq: number,
): ServerFrame {
  return { type: 'ready', payload: { userId, connectionId, sessionId, seq } };
}

/** `sync-done { seq }`: the replay is over; live events follow. */
export function syncDoneFrame(seq: number): ServerFrame {
  return { type: 'sync-done', payload: { seq } };
}

/** `sync-reset { seq }`: events after the asked position are gone; refetch, go on from `seq`. */
export function syncResetFrame(seq: number): ServerFrame {
  return { type: 'sync-reset', payload: { seq } };
}

/**
 * `error { code, message }`, plus `type` (the refused frame's type, when it had
 * a known one) and, for `VALIDATION_FAILED`, `details` as in HTTP errors.
 */
export function errorFrame(error: DomainError, refusedType?: string): ServerFrame {
  const frameType = error instanceof FrameError ? error.frameType : refusedType;
  let details: readonly ValidationIssue[] | undefined;
  if (error instanceof FrameError) details = error.details;
  // The core names fields of the payload it was given (`to`); on the wire every
  // path starts at the frame, as the schema's own do (`payload.to`).
  else if (error instanceof ValidationError) details = error.details.map(inPayload);
  return {
    type: 'error',
    payload: {
      code: error.code,
      message: error.message,
      ...(frameType === undefined ? {} : { type: frameType }),
      ...(error.code === 'VALIDATION_FAILED' ? { details: details ?? [] } : {}),
      ...(error instanceof RateLimitedError ? { retryAfter: error.retryAfterSec } : {}),
    },
  };
}

/** A payload-relative issue with its path from the frame. */
function inPayload(issue: ValidationIssue): ValidationIssue {
  return {
    path: issue.path === '' ? 'payload' : `payload.${issue.path}`,
    message: issue.message,
  };
}
