/**
 * @module The WebSocket protocol (API.md §7) as data, for the documents a
 * client author reads: the `x-websocket` extension of `/openapi.json` and the
 * AsyncAPI 3 document at `/asyncapi.json`. Client frame payloads are the very
 * valibot schemas the server validates with (`CLIENT_FRAME_SCHEMAS`); server
 * frame payloads are described here in valibot too, and the end-to-end
 * client (test/support/ws-client.ts) checks every frame the server sends
 * against them, so neither document can drift from what runs. JSON Schemas
 * are generated from both with @valibot/to-json-schema.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION } from '../../core/index.js';
import {
  CALL_ENDED_REASONS,
  CALL_REJECTED_REASONS,
  CLIENT_FRAME_SCHEMAS,
  type ClientFrameType,
  MAX_PRESENCE_IDS,
  SERVER_FRAME_SCHEMAS,
  type ServerFrameType,
  WS_ERROR_CODES,
} from './frame-schemas.js';

/** The deepest nesting of a frame (adapters/ws/protocol.ts checks it; a test keeps the two equal). */
export const DOCUMENTED_MAX_FRAME_DEPTH = 32;

/** Codes any frame may be answered with, besides those of its own type. */
const ANY_FRAME_ERRORS = [
  'INVALID_JSON',
  'UNKNOWN_EVENT',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const satisfies readonly (keyof typeof WS_ERROR_CODES)[];

/** Close codes the server uses. */
export const WS_CLOSE_CODES = {
  '1001': 'The server is shutting down; reconnect (to another instance).',
  '1006':
    '(seen by the client, never sent) No pong within 30 s of a ping: the server cut the connection.',
  '1008': 'The client went on sending after its frame budget ran out.',
  '1009': 'A frame over 64 KiB (65 536 bytes).',
  '1013':
    'The client stopped reading: over 1 MiB of frames waited to be sent to it, not counting frames relayed from other users (those are dropped past their own budget, never a close).',
  '4401': 'The token expired, or its session ended; reconnect with a fresh one.',
} as const;

// ---------------------------------------------------------------------------
// What each frame is for, its own error codes, and an example payload.

interface FrameDoc {
  readonly summary: string;
  readonly example: Record<string, unknown>;
}

interface ClientFrameDoc extends FrameDoc {
  /** Codes of this frame's own logic, besides `ANY_FRAME_ERRORS`. */
  readonly errors: readonly (keyof typeof WS_ERROR_CODES)[];
}

const ALICE = '665f1c0a9b3e4d2a1c0b9e8f';
const BOB = '665f1d0a9b3e4d2a1c0b9e90';
const CALL = 'c-7f3a9b';
const RELAY_ERRORS = ['NOT_IN_CALL'] as const;

export const CLIENT_FRAME_DOCS: Record<ClientFrameType, ClientFrameDoc> = {
  sync: {
    summary:
      'Replay your event log after `since` (the last seq you have) on this connection, then `sync-done`; as `?since=` on connect. Live events meanwhile follow the replay.',
    errors: [],
    example: { since: 41 },
  },
  typing: {
    summary:
      'You are typing to `to` (`active: true`, refresh it within 6 s) or stopped (`false`). Pushed only between users who share a conversation, both with typingIndicators on, neither blocking the other; never stored.',
    errors: [],
    example: { to: BOB, active: true },
  },
  ack: {
    summary:
      'Every logged event up to `seq` reached this device (the last 500 of them). Each `new-message` among them from another user is marked delivered once; its sender gets `message-delivered` (not while either blocks the other).',
    errors: [],
    example: { seq: 42 },
  },
  read: {
    summary:
      'As POST /api/chat/read: the conversation with `peerId` is read up to `upTo`. Your other connections get `conversation-read`; the peer `messages-read` (when both have read receipts on and neither blocks the other).',
    errors: ['USER_NOT_FOUND'],
    example: { peerId: BOB, upTo: '665f200a9b3e4d2a1c0b9e91' },
  },
  'call-user': {
    summary:
      'Call a user. Rings every connection of `to` (`call-user`) and answers this connection `call-ringing`; or `call-unavailable` (offline), `call-rejected` busy, `call-ended` glare. Any other field is passed on to the callee.',
    errors: ['USER_NOT_FOUND', 'ALREADY_IN_CALL', 'CALL_EXISTS', 'UNAUTHENTICATED'],
    example: { to: BOB, callId: CALL, media: 'video' },
  },
  'call-accepted': {
    summary:
      "Accept a ringing call (callee). The caller gets `call-accepted`; the callee's other connections `call-ended answered-elsewhere`. Of two connections accepting at once, one wins; the other gets `error NOT_IN_CALL`.",
    errors: RELAY_ERRORS,
    example: { callId: CALL },
  },
  'call-rejected': {
    summary:
      "Decline a ringing call (callee). The caller gets `call-rejected declined`; the callee's other connections `call-ended rejected-elsewhere`.",
    errors: RELAY_ERRORS,
    example: { callId: CALL },
  },
  'call-ended': {
    summary:
      'Hang up (either party), cancel a ringing call (caller), or decline it (callee while ringing). The other side gets `call-ended hangup` with `from`.',
    errors: RELAY_ERRORS,
    example: { callId: CALL },
  },
  offer: {
    summary: 'An SDP offer, relayed to the other party with `from` added; any fields.',
    errors: RELAY_ERRORS,
    example: { callId: CALL, sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n…' },
  },
  answer: {
    summary: 'An SDP answer, relayed to the other party with `from` added; any fields.',
    errors: RELAY_ERRORS,
    example: { callId: CALL, sdp: 'v=0\r\n…' },
  },
  'ice-candidate': {
    summary: 'An ICE candidate, relayed to the other party with `from` added; any fields.',
    errors: RELAY_ERRORS,
    example: {
      callId: CALL,
      candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx …',
      sdpMid: '0',
      sdpMLineIndex: 0,
    },
  },
  'update-presence': {
    summary: "This connection's status; the user's combined status is pushed when it changes.",
    errors: [],
    example: { status: 'idle' },
  },
  'subscribe-presence': {
    summary: `Follow users' presence (1–${MAX_PRESENCE_IDS} ids, at most ${MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION} per connection); answered at once with one \`presence-update\` per known id.`,
    errors: [],
    example: { userIds: [BOB] },
  },
  'unsubscribe-presence': {
    summary: "Stop following users (1–200 ids); conversation partners' pushes continue.",
    errors: [],
    example: { userIds: [BOB] },
  },
};

export const SERVER_FRAME_DOCS: Record<ServerFrameType, FrameDoc> = {
  ready: {
    summary:
      'The first frame of every connection; pushes start right after it. `seq`: the position this connection starts at.',
    example: { userId: ALICE, connectionId: '3f2b8c1e-9a4d-4e7b-8f60-2c1d5e6f7a8b', seq: 41 },
  },
  'sync-done': {
    summary:
      'The replay asked for (`?since=` or `sync`) is over: every logged event up to `seq` was sent; live events follow.',
    example: { seq: 57 },
  },
  'sync-reset': {
    summary:
      'The events after your `since` are no longer kept: refetch your conversations (GET /api/chat/conversations), then go on from `seq`. `sync-done` follows.',
    example: { seq: 1234 },
  },
  typing: {
    summary:
      '`from` is typing to you (`active: true`), or stopped; the server sends `active: false` itself 6 s after the last `active: true`. Not logged.',
    example: { from: BOB, active: true },
  },
  'message-delivered': {
    summary:
      'Your message `messageId` first reached a device of `to` (it acknowledged it with `ack` or fetched it through GET /api/sync); logged, with `seq`, once per message. Not while either of you blocks the other; read receipts do not apply.',
    example: {
      messageId: '665f200a9b3e4d2a1c0b9e91',
      to: BOB,
      deliveredAt: '2026-11-24T19:09:42.000Z',
    },
  },
  'messages-read': {
    summary:
      'The peer read your messages up to `upTo` (logged, with `seq`); not sent when either of you turned read receipts off.',
    example: { by: BOB, upTo: '665f200a9b3e4d2a1c0b9e91', readAt: '2026-11-24T19:10:02.000Z' },
  },
  'conversation-read': {
    summary:
      'You read the conversation with `peerId` up to `upTo` on another device (logged, with `seq`): clear its badge.',
    example: { peerId: BOB, upTo: '665f200a9b3e4d2a1c0b9e91', readAt: '2026-11-24T19:10:02.000Z' },
  },
  'missed-call': {
    summary:
      'A call to you rang out unanswered (logged, with `seq`): the call entry as GET /api/calls lists it.',
    example: {
      _id: CALL,
      callerId: BOB,
      calleeId: ALICE,
      media: 'audio',
      status: 'missed',
      startedAt: '2026-11-24T19:09:41.123Z',
      answeredAt: null,
      endedAt: '2026-11-24T19:10:41.123Z',
      durationSec: null,
      endReason: 'timeout',
    },
  },
  error: {
    summary: 'A frame of yours was refused; the connection stays open.',
    example: {
      code: 'VALIDATION_FAILED',
      message: 'The frame is not valid.',
      type: 'call-user',
      details: [{ path: 'payload.media', message: 'Must be audio or video.' }],
    },
  },
  'new-message': {
    summary:
      'A message was sent to you, or by you from another device (see POST /api/chat/send and x-connection-id).',
    example: {
      _id: '665f200a9b3e4d2a1c0b9e91',
      conversationId: '665f1f0a9b3e4d2a1c0b9e92',
      senderId: BOB,
      receiverId: ALICE,
      content: 'hello',
      messageType: 'text',
      clientMessageId: 'm-1',
      createdAt: '2026-11-24T19:09:41.123Z',
    },
  },
  'prekeys-low': {
    summary: 'A bundle fetch left one of your one-time pools under 10 keys: replenish.',
    example: { count: 9, kyberCount: 40 },
  },
  'presence-update': {
    summary:
      "A followed user's (or conversation partner's) combined status changed, or the answer to subscribe-presence.",
    example: { userId: BOB, status: 'offline', lastSeen: '2026-11-24T19:09:41.123Z' },
  },
  'call-user': {
    summary:
      'You are being called (every connection of the callee); also carries any field the caller added, `to` included.',
    example: { callId: CALL, from: ALICE, fromDisplayName: 'Alice', media: 'video', to: BOB },
  },
  'call-ringing': {
    summary: "The callee is being rung: your call's `callId` (to the calling connection only).",
    example: { callId: CALL, to: BOB },
  },
  'call-unavailable': {
    summary: 'The callee has no connection; the call is over (history: unavailable/offline).',
    example: { callId: CALL, to: BOB, reason: 'offline' },
  },
  'call-accepted': {
    summary: 'The callee accepted (to the calling connection); send your offer now.',
    example: { callId: CALL, from: BOB },
  },
  'call-rejected': {
    summary: 'The callee declined (`declined`) or is busy (`busy`); the call is over.',
    example: { callId: CALL, from: BOB, reason: 'declined' },
  },
  'call-ended': {
    summary: 'The call is over for this connection; `reason` says why.',
    example: { callId: CALL, from: BOB, reason: 'hangup' },
  },
  offer: {
    summary: "The other party's SDP offer, with `from`.",
    example: { callId: CALL, from: ALICE, sdp: 'v=0\r\n…' },
  },
  answer: {
    summary: "The other party's SDP answer, with `from`.",
    example: { callId: CALL, from: BOB, sdp: 'v=0\r\n…' },
  },
  'ice-candidate': {
    summary: "One of the other party's ICE candidates, with `from`.",
    example: { callId: CALL, from: BOB, candidate: 'candidate:…', sdpMid: '0', sdpMLineIndex: 0 },
  },
};

// ---------------------------------------------------------------------------
// The documents.

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: v.GenericSchema, target: 'draft-07' | 'draft-2020-12'): JsonSchema {
  const { $schema: _dialect, ...rest } = toJsonSchema(schema, {
    target,
    errorMode: 'ignore',
  }) as JsonSchema;
  return rest;
}

/** The codes a client frame of `type` may be answered with. */
export function clientFrameErrors(type: ClientFrameType): string[] {
  return [...new Set([...ANY_FRAME_ERRORS, ...CLIENT_FRAME_DOCS[type].errors])].sort();
}

const CONNECT = {
  url: 'ws://<host>/?token=<jwt> (also /ws?token=<jwt>; wss:// behind TLS)',
  paths: ['/', '/ws'],
  token:
    'The JWT of register/login in the `token` query parameter (headers are ignored on the upgrade). A missing or bad token is refused with HTTP 401 UNAUTHENTICATED before the upgrade; a shutting-down server answers 503 SERVICE_UNAVAILABLE.',
  frames:
    'Every frame, both ways, is one JSON text frame { "type": string, "payload": object }; logged events (new-message, messages-read, conversation-read, missed-call) also carry "seq". The server first sends ready { userId, connectionId, seq }. With ?since=<seq> it then replays the log after seq and sends sync-done.',
};

const LIMITS = {
  maxFrameBytes: 65_536,
  maxDepth: DOCUMENTED_MAX_FRAME_DEPTH,
  frameBudget:
    'Per connection: bursts of RATE_LIMIT_WS_FRAME_BURST (100) frames, refilled at RATE_LIMIT_WS_FRAMES_PER_SEC (50) a second; over it error RATE_LIMITED, and close 1008 if it goes on.',
  ping: 'The server pings every 30 s; no pong within 30 s more drops the connection.',
  maxUnsentBytes: 1_048_576,
  presenceIdsPerFrame: MAX_PRESENCE_IDS,
  presenceSubscriptionsPerConnection: MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION,
};

/** The `x-websocket` extension of the OpenAPI document. */
export function websocketExtension() {
  const clientFrames = Object.fromEntries(
    (Object.keys(CLIENT_FRAME_SCHEMAS) as ClientFrameType[]).map((type) => [
      type,
      {
        summary: CLIENT_FRAME_DOCS[type].summary,
        payload: jsonSchema(CLIENT_FRAME_SCHEMAS[type], 'draft-2020-12'),
        errorCodes: clientFrameErrors(type),
        example: { type, payload: CLIENT_FRAME_DOCS[type].example },
      },
    ]),
  );
  const serverFrames = Object.fromEntries(
    (Object.keys(SERVER_FRAME_SCHEMAS) as ServerFrameType[]).map((type) => [
      type,
      {
        summary: SERVER_FRAME_DOCS[type].summary,
        payload: jsonSchema(SERVER_FRAME_SCHEMAS[type], 'draft-2020-12'),
        example: { type, payload: SERVER_FRAME_DOCS[type].example },
      },
    ]),
  );
  return {
    ...CONNECT,
    clientEvents: Object.keys(clientFrames),
    serverEvents: Object.keys(serverFrames),
    clientFrames,
    serverFrames,
    errorCodes: WS_ERROR_CODES,
    closeCodes: WS_CLOSE_CODES,
    reasons: {
      'call-ended': CALL_ENDED_REASONS,
      'call-rejected': CALL_REJECTED_REASONS,
      'call-unavailable': { offline: 'The callee has no connection.' },
    },
    limits: LIMITS,
    asyncapi: '/asyncapi.json',
    reference:
      'docs/API.md in the repository: the call state machine, ordering and delivery guarantees, and every decision.',
  };
}

/** The AsyncAPI 3 document of the WebSocket, from the server's point of view. */
export function asyncApiDocument(version: string) {
  const messages: Record<string, unknown> = {};
  const channelMessages: Record<string, { $ref: string }> = {};
  const operations: Record<string, unknown> = {};
  const add = (
    direction: 'client' | 'server',
    type: string,
    schema: v.GenericSchema,
    doc: FrameDoc,
    errors?: string[],
  ) => {
    const id = `${direction}-${type}`;
    messages[id] = {
      name: type,
      title: `${type} (${direction === 'client' ? 'client → server' : 'server → client'})`,
      summary: doc.summary,
      ...(errors === undefined
        ? {}
        : { description: `May be answered with error frames: ${errors.join(', ')}.` }),
      contentType: 'application/json',
      payload: {
        type: 'object',
        properties: { type: { const: type }, payload: jsonSchema(schema, 'draft-07') },
        required: ['type', 'payload'],
      },
      examples: [{ name: type, payload: { type, payload: doc.example } }],
    };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    operations[`${direction === 'client' ? 'receive' : 'send'}-${type}`] = {
      action: direction === 'client' ? 'receive' : 'send',
      channel: { $ref: '#/channels/socket' },
      summary: doc.summary,
      messages: [{ $ref: `#/channels/socket/messages/${id}` }],
    };
  };
  for (const type of Object.keys(CLIENT_FRAME_SCHEMAS) as ClientFrameType[]) {
    add(
      'client',
      type,
      CLIENT_FRAME_SCHEMAS[type],
      CLIENT_FRAME_DOCS[type],
      clientFrameErrors(type),
    );
  }
  for (const type of Object.keys(SERVER_FRAME_SCHEMAS) as ServerFrameType[]) {
    add('server', type, SERVER_FRAME_SCHEMAS[type], SERVER_FRAME_DOCS[type]);
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'My Calls WebSocket',
      version,
      description: `${CONNECT.frames} Call signaling, chat push and presence. The full reference, with the call state machine and the ordering guarantees, is docs/API.md in the repository.`,
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:3000',
        protocol: 'ws',
        description: 'A development server (`npm start`); use wss:// behind TLS.',
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The WebSocket (also at /ws)',
        description: CONNECT.token,
        messages: channelMessages,
        bindings: {
          ws: {
            method: 'GET',
            query: {
              type: 'object',
              properties: { token: { type: 'string', description: 'The JWT.' } },
              required: ['token'],
            },
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations,
    components: { messages },
  };
}
