/**
 * @module The payload schema of every WebSocket frame (API.md §7), both ways.
 * Client frames are validated with these (adapters/ws/protocol.ts); server
 * frames are described with them: the end-to-end ws client checks every
 * frame the server sends against `SERVER_FRAME_SCHEMAS`. The protocol's
 * documents (`x-websocket`, `/asyncapi.json`) are generated from both
 * (protocol-doc.ts), so what a client author reads is what runs.
 */
import * as v from 'valibot';
import {
  CALL_MEDIA,
  CALL_MEDIA_RULE,
  type CallEndedReason,
  type ErrorCode,
  MAX_PRESENCE_IDS_PER_REQUEST,
  PRESENCE_IDS_RULE,
  PRESENCE_STATUSES,
  SEQ_RULE,
} from '../../core/index.js';

/** Most user ids one `subscribe-presence` / `unsubscribe-presence` may name (the core's limit). */
export const MAX_PRESENCE_IDS = MAX_PRESENCE_IDS_PER_REQUEST;

/** `call-user`: any field besides these is passed on to the callee. */
export const CallUserPayload = v.looseObject({
  to: v.string('Must be a user id.'),
  callId: v.optional(v.string('Must be a string of 1–64 characters.')),
  media: v.optional(v.picklist(CALL_MEDIA, CALL_MEDIA_RULE.message)),
});

/** `call-accepted`, `call-rejected`, `call-ended`, `offer`, `answer`, `ice-candidate`. */
export const CallFramePayload = v.looseObject({
  callId: v.string('Must be the id of a call.'),
});

export const UpdatePresencePayload = v.object({
  status: v.picklist(['active', 'idle'], 'Must be active or idle.'),
});

/** `subscribe-presence` and `unsubscribe-presence`. */
export const PresenceIdsPayload = v.object({
  userIds: v.pipe(
    v.array(v.string('Must be a user id.'), 'Must be a list of user ids.'),
    v.minLength(1, PRESENCE_IDS_RULE.message),
    v.maxLength(MAX_PRESENCE_IDS, PRESENCE_IDS_RULE.message),
  ),
});

/** A position in the caller's event log. */
const SeqInput = v.pipe(
  v.number(SEQ_RULE.message),
  v.safeInteger(SEQ_RULE.message),
  v.minValue(0, SEQ_RULE.message),
);

/** `sync`: replay the log after `since`. */
export const SyncPayload = v.object({ since: SeqInput });

/** `ack`: every logged event up to `seq` reached this device. */
export const AckPayload = v.object({ seq: SeqInput });

/** `typing`: to a conversation partner. */
export const TypingPayload = v.object({
  to: v.string('Must be a user id.'),
  active: v.boolean('Must be true or false.'),
});

/** `read`: as `POST /api/chat/read`. */
export const ReadPayload = v.object({
  peerId: v.string('Must be a user id.'),
  upTo: v.string('Must be a message id.'),
});

/** The payload schema of every frame a client may send. */
export const CLIENT_FRAME_SCHEMAS = {
  sync: SyncPayload,
  ack: AckPayload,
  read: ReadPayload,
  typing: TypingPayload,
  'call-user': CallUserPayload,
  'call-accepted': CallFramePayload,
  'call-rejected': CallFramePayload,
  'call-ended': CallFramePayload,
  offer: CallFramePayload,
  answer: CallFramePayload,
  'ice-candidate': CallFramePayload,
  'update-presence': UpdatePresencePayload,
  'subscribe-presence': PresenceIdsPayload,
  'unsubscribe-presence': PresenceIdsPayload,
} as const;

export type ClientFrameType = keyof typeof CLIENT_FRAME_SCHEMAS;

/** The validated payload of a client frame of type `T`. */
export type ClientPayload<T extends ClientFrameType> = v.InferOutput<
  (typeof CLIENT_FRAME_SCHEMAS)[T]
>;

// ---------------------------------------------------------------------------
// Reasons and error codes, each with what it means (a Record over the core's
// type, so a new value without a description fails the typecheck).

/** Every `reason` of `call-ended`, and when the server sends it. */
export const CALL_ENDED_REASONS: Record<CallEndedReason, string> = {
  hangup: 'The other party sent `call-ended` (`from` names them).',
  timeout: 'Nobody accepted within CALL_RING_TIMEOUT seconds (default 60); sent to both parties.',
  disconnected:
    "The connection holding the other side of the call closed (or its server instance died); for a ringing callee, when the callee's last connection closed.",
  glare:
    'Two users called each other at once; this call lost (the one with the lower `callId` survives).',
  'answered-elsewhere': "Another of the callee's connections accepted the call.",
  'rejected-elsewhere':
    "Another of the callee's connections declined the call (`call-rejected`, or `call-ended` while ringing).",
};

/** The `reason` of `call-rejected`. */
export const CALL_REJECTED_REASONS = {
  declined: 'The callee declined with `call-rejected`.',
  busy: 'The callee is in another call (ringing or ongoing); sent by the server, `from` is the callee.',
} as const;

/** Error codes an `error` frame may carry, and what each means on the socket. */
export const WS_ERROR_CODES = {
  INVALID_JSON: 'The frame is not JSON text (binary frames included).',
  UNKNOWN_EVENT: 'No frame of this `type` exists; checked before the payload.',
  VALIDATION_FAILED:
    'The envelope or the payload is not valid (`details` names each field), or a rule refused it (calling yourself, a `callId` over 64 characters, more than 1000 presence subscriptions).',
  USER_NOT_FOUND: '`call-user`: `to` names nobody (malformed ids included).',
  NOT_IN_CALL:
    'No live call with this `callId` of which this connection holds a side (ended, never existed, someone else’s, or — for `call-accepted`/`call-rejected` — no longer ringing for you).',
  ALREADY_IN_CALL: '`call-user`: you are already in a call (ringing or ongoing).',
  CALL_EXISTS:
    '`call-user`: this `callId` names a live or a past call you placed (an id of another user’s call is replaced by a fresh one instead).',
  RATE_LIMITED:
    'Over the frame budget; the frame was dropped. Going on closes the socket with 1008. Or `call-user` over a call limit (per caller, per caller and callee): nobody was rung; or `subscribe-presence` over the profile read budget: nothing was followed. `retryAfter` says when to try again.',
  SERVICE_UNAVAILABLE:
    'A backing store (MongoDB, Redis) is down; the frame did nothing, retry later.',
  UNAUTHENTICATED: "`call-user`: the caller's account no longer exists.",
  INTERNAL: 'The server failed unexpectedly; the frame may not have taken effect.',
} as const satisfies Partial<Record<ErrorCode, string>>;

// ---------------------------------------------------------------------------
// Server frame payloads.

const UserId = v.pipe(v.string(), v.description('A user id.'));
const Timestamp = v.pipe(
  v.string(),
  v.isoTimestamp(),
  v.description('ISO-8601 UTC with milliseconds.'),
);
/** A message as `POST /api/chat/send` answers it (a test compares the two schemas). */
const MessagePayload = v.object({
  _id: v.string(),
  conversationId: v.string(),
  senderId: v.string(),
  receiverId: v.string(),
  content: v.string(),
  messageType: v.string(),
  clientMessageId: v.nullable(v.string()),
  createdAt: Timestamp,
});
const CallId = v.pipe(
  v.string(),
  v.description('The call: client-chosen (1–64 characters) or generated by the server.'),
);
const MediaSchema = v.picklist(CALL_MEDIA);

const Seq = v.pipe(
  v.number(),
  v.safeInteger(),
  v.minValue(0),
  v.description('A position in your event log: the seq of the last event you have (0: none).'),
);

/** The payload schema of every frame the server sends. */
export const SERVER_FRAME_SCHEMAS = {
  ready: v.object({
    userId: UserId,
    connectionId: v.pipe(
      v.string(),
      v.uuid(),
      v.description('This connection (a random UUID); send it as `x-connection-id`.'),
    ),
    seq: v.pipe(
      Seq,
      v.description(
        'Where this connection starts: `since` when you gave one (the replay follows), else the seq live events go on from.',
      ),
    ),
  }),
  'sync-done': v.object({
    seq: v.pipe(Seq, v.description('Your position after the replay; live events follow it.')),
  }),
  'sync-reset': v.object({
    seq: v.pipe(
      Seq,
      v.description(
        'The events after your `since` are gone (older than the retention) or it is beyond the log: refetch your conversations, then go on from this seq.',
      ),
    ),
  }),
  error: v.object({
    code: v.picklist(Object.keys(WS_ERROR_CODES) as (keyof typeof WS_ERROR_CODES)[]),
    message: v.pipe(v.string(), v.description('For people; branch on `code`.')),
    type: v.optional(
      v.pipe(v.string(), v.description('The type of the refused frame, when it had one.')),
    ),
    details: v.optional(
      v.pipe(
        v.array(v.object({ path: v.string(), message: v.string() })),
        v.description(
          'On VALIDATION_FAILED only (always present there); paths start at the frame (`payload.to`).',
        ),
      ),
    ),
    retryAfter: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(1),
        v.description(
          'On RATE_LIMITED from a call limit: whole seconds until it may be tried again.',
        ),
      ),
    ),
  }),
  'new-message': MessagePayload,
  typing: v.object({
    from: v.pipe(UserId, v.description('Who is typing to you.')),
    active: v.pipe(
      v.boolean(),
      v.description('false: stopped (or not refreshed within 6 s, ended by the server).'),
    ),
  }),
  'message-delivered': v.object({
    messageId: v.pipe(v.string(), v.description('Your message that reached a device of `to`.')),
    to: v.pipe(UserId, v.description('Its receiver.')),
    deliveredAt: v.pipe(Timestamp, v.description('When it first reached one of their devices.')),
  }),
  'messages-read': v.object({
    by: v.pipe(UserId, v.description('The reader: the other party of the conversation.')),
    upTo: v.pipe(v.string(), v.description('Your messages up to this one are read.')),
    readAt: Timestamp,
  }),
  'conversation-read': v.object({
    peerId: v.pipe(UserId, v.description("The conversation's other party.")),
    upTo: v.pipe(v.string(), v.description('You read up to this message (on another device).')),
    readAt: Timestamp,
  }),
  'missed-call': v.pipe(
    v.object({
      _id: CallId,
      callerId: UserId,
      calleeId: UserId,
      media: MediaSchema,
      status: v.literal('missed'),
      startedAt: Timestamp,
      answeredAt: v.null(),
      endedAt: Timestamp,
      durationSec: v.null(),
      endReason: v.literal('timeout'),
    }),
    v.description('A call entry as GET /api/calls lists it.'),
  ),
  'prekeys-low': v.object({
    count: v.pipe(v.number(), v.integer(), v.minValue(0)),
    kyberCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  'presence-update': v.object({
    userId: UserId,
    status: v.picklist(PRESENCE_STATUSES),
    lastSeen: v.pipe(
      v.nullable(Timestamp),
      v.description('When the user last went offline (now, on an offline push); null if never.'),
    ),
  }),
  'call-user': v.looseObject({
    callId: CallId,
    from: v.pipe(UserId, v.description('The caller.')),
    fromDisplayName: v.pipe(v.string(), v.description("The caller's display name.")),
    media: MediaSchema,
  }),
  'call-ringing': v.object({ callId: CallId, to: v.pipe(UserId, v.description('The callee.')) }),
  'call-unavailable': v.object({ callId: CallId, to: UserId, reason: v.literal('offline') }),
  'call-accepted': v.looseObject({
    callId: CallId,
    from: v.pipe(UserId, v.description('The callee.')),
  }),
  'call-rejected': v.looseObject({
    callId: CallId,
    from: v.pipe(UserId, v.description('The callee.')),
    reason: v.picklist(
      Object.keys(CALL_REJECTED_REASONS) as (keyof typeof CALL_REJECTED_REASONS)[],
    ),
  }),
  'call-ended': v.looseObject({
    callId: CallId,
    from: v.optional(
      v.pipe(UserId, v.description('Who hung up; absent when the server ended the call.')),
    ),
    reason: v.picklist(Object.keys(CALL_ENDED_REASONS) as CallEndedReason[]),
  }),
  offer: v.looseObject({ callId: CallId, from: UserId }),
  answer: v.looseObject({ callId: CallId, from: UserId }),
  'ice-candidate': v.looseObject({ callId: CallId, from: UserId }),
} as const;

export type ServerFrameType = keyof typeof SERVER_FRAME_SCHEMAS;

/**
 * The frames of logged events: each carries `seq` beside `type` and
 * `payload` (`{ "type", "seq", "payload" }`), strictly increasing per user.
 */
export const LOGGED_FRAME_TYPES = [
  'new-message',
  'message-delivered',
  'messages-read',
  'conversation-read',
  'missed-call',
] as const satisfies readonly ServerFrameType[];
