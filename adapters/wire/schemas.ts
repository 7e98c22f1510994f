/**
 * @module The schemas of the answers both transports build with
 * serialize.ts, whose serializers are typed by them (a serializer that drifts
 * from its documented shape fails the typecheck), and the field schemas the
 * HTTP request schemas share with them. They validate nothing at run time;
 * the OpenAPI document is generated from them.
 */
import * as v from 'valibot';
import {
  CALL_MEDIA,
  CALL_STATUSES,
  END_REASONS,
  HEX_BYTES_RULE,
  KEY_ID_RULE,
  MAX_KEY_ID,
  PRESENCE_STATUSES,
  USERNAME_RULE,
  VERIFICATION_TRANSPORTS,
} from '../../core/index.js';
import { LOGGED_FRAME_TYPES, SERVER_FRAME_SCHEMAS } from './frame-schemas.js';
import { follows } from './validate.js';

// ---------------------------------------------------------------------------
// Fields requests share with answers

/** 3–32 of `[A-Za-z0-9_.]`. */
export const Username = v.pipe(
  v.string(),
  follows(USERNAME_RULE),
  v.title('Username'),
  v.description('Unique without regard to case; stored as given.'),
  v.examples(['alice_w']),
);

/** An id as the client sent it; malformed ids are answered like unknown ones by the core. */
export const Id = v.pipe(
  v.string(),
  v.title('Id'),
  v.description('An opaque id (24 hex digits with MongoDB).'),
);

/** `sms` (default) or `voice`. */
export const Transport = v.pipe(
  v.picklist(VERIFICATION_TRANSPORTS, 'Must be "sms" or "voice".'),
  v.title('Transport'),
  v.description('How the code reaches the phone: a text message or a voice call.'),
);

/** Hex digits of whole bytes, either case; lengths are the core's business. */
export const HexKey = v.pipe(
  v.string(),
  follows(HEX_BYTES_RULE),
  v.title('Hex bytes'),
  v.description('Either case accepted; returned lowercase.'),
);

/** An integer 0 … 2³¹−1 (the core's rule, spelled out so the document shows the range). */
export const KeyId = v.pipe(
  v.number(KEY_ID_RULE.message),
  v.integer(KEY_ID_RULE.message),
  v.minValue(0, KEY_ID_RULE.message),
  v.maxValue(MAX_KEY_ID, KEY_ID_RULE.message),
  v.title('Key id'),
);

/** A one-time EC prekey. */
export const PreKeyInput = v.pipe(v.object({ keyId: KeyId, publicKey: HexKey }), v.title('PreKey'));

/** A signed prekey: the EC signed prekey, a Kyber one-time key or the last-resort Kyber key. */
export const SignedPreKeyInput = v.pipe(
  v.object({ keyId: KeyId, publicKey: HexKey, signature: HexKey }),
  v.title('SignedPreKey'),
);

// ---------------------------------------------------------------------------
// Answers

/** ISO-8601 UTC with milliseconds. */
export const Timestamp = v.pipe(
  v.string(),
  v.isoTimestamp(),
  v.description('ISO-8601 UTC with milliseconds.'),
  v.examples(['2026-11-24T19:09:41.123Z']),
);

/** A whole number ≥ 0. */
export const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** `POST /api/auth/register` and `/login`. */
export const SessionResponse = v.pipe(
  v.object({
    token: v.pipe(v.string(), v.description('A JWT (HS256); send it as Bearer or x-auth-token.')),
    sessionId: v.pipe(Id, v.description('The device session this token belongs to (its `sid`).')),
    userId: Id,
    username: v.nullable(Username),
    displayName: v.string(),
    phoneNumber: v.pipe(v.string(), v.description('E.164, normalized.')),
    createdAt: Timestamp,
  }),
  v.title('Session'),
  v.metadata({ ref: 'Session' }),
);

/** A verification as every verification route answers it. */
export const VerificationResponse = v.pipe(
  v.object({
    verificationId: Id,
    phoneNumber: v.pipe(v.string(), v.description('E.164, normalized.')),
    transport: Transport,
    expiresAt: v.pipe(
      Timestamp,
      v.description(
        'Until verified: the current code stops working then. Once verified: the deadline to register or reset with it.',
      ),
    ),
    nextCodeAt: v.pipe(
      v.nullable(Timestamp),
      v.description('When a new code may be asked for; null when no more codes are sent.'),
    ),
    attemptsLeft: v.pipe(Count, v.description('Checks left (5 per verification).')),
    verified: v.boolean(),
  }),
  v.title('Verification'),
  v.metadata({ ref: 'Verification' }),
);

/** One entry of `GET /api/auth/sessions`. */
export const DeviceSessionResponse = v.pipe(
  v.object({
    sessionId: Id,
    deviceName: v.string(),
    createdAt: Timestamp,
    lastSeenAt: v.pipe(Timestamp, v.description('Refreshed by use at most once a minute.')),
    expiresAt: v.pipe(Timestamp, v.description("When the session's token expires.")),
    current: v.pipe(v.boolean(), v.description('True for the session of the token that asked.')),
  }),
  v.title('DeviceSession'),
  v.metadata({ ref: 'DeviceSession' }),
);

/** `GET /api/auth/sessions`. */
export const SessionListResponse = v.pipe(
  v.array(DeviceSessionResponse),
  v.description('Newest first; expired sessions are left out.'),
);

/** `GET /api/users/:userId/profile` and `/by-username/:username`. */
export const ProfileResponse = v.pipe(
  v.object({
    _id: Id,
    username: v.nullable(Username),
    displayName: v.string(),
    phoneNumber: v.pipe(
      v.nullable(v.string()),
      v.description(
        'E.164, normalized; null unless the caller is the user or the user has sent the caller a message (SECURITY.md).',
      ),
    ),
    createdAt: Timestamp,
    lastSeen: v.pipe(
      v.nullable(Timestamp),
      v.description('When the user last went offline; null if never.'),
    ),
  }),
  v.title('Profile'),
  v.metadata({ ref: 'Profile' }),
);

/** `GET` and `PATCH /api/users/me`: the caller's profile and settings. */
export const AccountResponse = v.pipe(
  v.object({
    _id: Id,
    username: v.nullable(Username),
    displayName: v.string(),
    phoneNumber: v.string(),
    createdAt: Timestamp,
    lastSeen: v.nullable(Timestamp),
    readReceipts: v.boolean(),
    typingIndicators: v.boolean(),
  }),
  v.title('Account'),
  v.metadata({ ref: 'Account' }),
);

/** One entry of `GET /api/users/me/blocked`. */
export const BlockedUserResponse = v.pipe(
  v.object({
    userId: Id,
    username: v.nullable(Username),
    displayName: v.string(),
    blockedAt: Timestamp,
  }),
  v.title('BlockedUser'),
  v.metadata({ ref: 'BlockedUser' }),
);

/** `GET /api/users/me/blocked`: the caller's block list, newest first. */
export const BlockListResponse = v.pipe(
  v.array(BlockedUserResponse),
  v.description('Newest block first; users whose account is gone are left out.'),
);

/** `POST /api/users/presence`: a map from user id to status, known ids only. */
export const PresenceResponse = v.pipe(
  v.record(
    v.string(),
    v.object({
      status: v.picklist(PRESENCE_STATUSES),
      lastSeen: v.nullable(Timestamp),
    }),
  ),
  v.title('PresenceMap'),
  v.description('Keyed by user id, in request order; unknown and malformed ids are left out.'),
);

/** One entry of `POST /api/users/lookup`. */
export const ContactResponse = v.pipe(
  v.object({
    _id: Id,
    username: v.nullable(Username),
    displayName: v.string(),
    phoneNumber: v.string(),
  }),
  v.title('Contact'),
  v.metadata({ ref: 'Contact' }),
);

/** `POST /api/users/lookup`: one entry per matched user. */
export const LookupResponse = v.pipe(
  v.array(ContactResponse),
  v.description('In order of the first number that matched each user.'),
);

/** A message, as `POST /api/chat/send`, `GET /api/chat/messages` and `new-message` show it. */
export const MessageResponse = v.pipe(
  v.object({
    _id: Id,
    conversationId: Id,
    senderId: Id,
    receiverId: Id,
    content: v.string(),
    messageType: v.string(),
    clientMessageId: v.nullable(v.string()),
    createdAt: Timestamp,
  }),
  v.title('Message'),
  v.metadata({ ref: 'Message' }),
);

/** A message of `GET /api/chat/messages/:userId`, with its receipts. */
export const HistoryMessageResponse = v.pipe(
  v.object({
    ...MessageResponse.entries,
    deliveredAt: v.pipe(
      v.nullable(Timestamp),
      v.description(
        'When it first reached a device of its receiver (an `ack` or `GET /api/sync`); null before, for a note to self, and on your messages while either of you blocks the other.',
      ),
    ),
    readAt: v.pipe(
      v.nullable(Timestamp),
      v.description(
        "When the receiver's read mark (the newest) came to cover it; on your messages only while both of you have readReceipts on and neither blocks the other.",
      ),
    ),
  }),
  v.title('HistoryMessage'),
);

/** `GET /api/chat/messages/:userId`: newest first. */
export const MessageListResponse = v.pipe(
  v.array(HistoryMessageResponse),
  v.description('Newest first.'),
);

/** One entry of `GET /api/chat/conversations`. */
export const ConversationResponse = v.pipe(
  v.object({
    _id: v.pipe(Id, v.description('Equals the conversationId of its messages.')),
    participants: v.pipe(v.array(Id), v.length(2), v.description('Sorted ascending.')),
    peer: v.object({
      _id: Id,
      username: v.nullable(Username),
      displayName: v.string(),
      deleted: v.pipe(
        v.boolean(),
        v.description(
          'True when the peer deleted their account: `displayName` is then "Deleted account" and `username` null.',
        ),
      ),
    }),
    lastMessage: MessageResponse,
    updatedAt: Timestamp,
    unreadCount: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.description(
        "Messages from the peer after the caller's last read one (0 in a note to self).",
      ),
    ),
    lastRead: v.pipe(
      v.nullable(v.object({ messageId: Id, readAt: Timestamp })),
      v.description(
        'Where the caller read up to (POST /api/chat/read, on any device); null before the first read.',
      ),
    ),
  }),
  v.title('Conversation'),
  v.metadata({ ref: 'Conversation' }),
);

/** `GET /api/chat/conversations`: newest `lastMessage` first. */
export const ConversationListResponse = v.pipe(
  v.array(ConversationResponse),
  v.description('Newest lastMessage first.'),
);

/** `POST /api/chat/read`: where the caller now reads up to. */
export const ReadResponse = v.pipe(
  v.object({ peerId: Id, upTo: Id, readAt: Timestamp }),
  v.title('ReadState'),
);

/**
 * A logged event as a frame (`GET /api/sync` lists these, the socket sends
 * them): `seq` beside `type`, and the payload its frame always has.
 */
export const LoggedEventFrame = v.union(
  LOGGED_FRAME_TYPES.map((type) =>
    v.object({
      type: v.literal(type),
      seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
      payload: SERVER_FRAME_SCHEMAS[type],
    }),
  ),
);

/** `GET /api/sync`: logged events as the socket sends them. */
export const SyncResponse = v.pipe(
  v.object({
    events: v.pipe(
      v.array(LoggedEventFrame),
      v.description(
        'The events after `since`, in seq order, without holes; frames as on the socket.',
      ),
    ),
    seq: v.pipe(
      v.number(),
      v.safeInteger(),
      v.minValue(0),
      v.description('Your position after these events: the next `since`.'),
    ),
    more: v.pipe(v.boolean(), v.description('More events follow: ask again with since=seq.')),
    reset: v.pipe(
      v.boolean(),
      v.description(
        'The events after `since` are no longer kept (or `since` is beyond the log): refetch your conversations, then go on from `seq`.',
      ),
    ),
  }),
  v.title('SyncPage'),
);

/** `{ count, kyberCount }` of the publish, count and replenish routes. */
export const PoolCountsResponse = v.pipe(
  v.object({ count: Count, kyberCount: Count }),
  v.title('PoolCounts'),
  v.description('Keys left in the EC and Kyber one-time pools (the last-resort key not counted).'),
  v.metadata({ ref: 'PoolCounts' }),
);

/** `GET /api/keys/:userId/bundle`. */
export const BundleResponse = v.pipe(
  v.object({
    identityKey: HexKey,
    registrationId: KeyId,
    signedPreKey: SignedPreKeyInput,
    oneTimePreKey: v.pipe(
      v.nullable(PreKeyInput),
      v.description('Taken out of the pool, lowest keyId first; null when the pool is empty.'),
    ),
    kyberPreKey: v.pipe(
      v.nullable(SignedPreKeyInput),
      v.description(
        'A one-time Kyber key taken out of its pool, else the last-resort key; null without Kyber keys.',
      ),
    ),
  }),
  v.title('Bundle'),
  v.metadata({ ref: 'Bundle' }),
);

/** One entry of `GET /api/calls`; `_id` is the call id. */
export const CallResponse = v.pipe(
  v.object({
    _id: v.pipe(v.string(), v.description('The callId.')),
    callerId: Id,
    calleeId: Id,
    media: v.picklist(CALL_MEDIA),
    status: v.picklist(CALL_STATUSES),
    startedAt: Timestamp,
    answeredAt: v.nullable(Timestamp),
    endedAt: v.nullable(Timestamp),
    durationSec: v.pipe(
      v.nullable(Count),
      v.description('Whole seconds from answer to end; answered calls only.'),
    ),
    endReason: v.nullable(v.picklist(END_REASONS)),
  }),
  v.title('Call'),
  v.metadata({ ref: 'Call' }),
);

/** `GET /api/calls`: newest first. */
export const CallListResponse = v.pipe(
  v.array(CallResponse),
  v.description('Newest startedAt first.'),
);

/** `GET /api/calls/ice-servers`. */
export const IceServersResponse = v.pipe(
  v.object({
    iceServers: v.array(
      v.object({
        urls: v.array(v.string()),
        username: v.optional(
          v.pipe(v.string(), v.description('TURN only: "<unix expiry>:<userId>".')),
        ),
        credential: v.optional(
          v.pipe(v.string(), v.description('TURN only: base64(HMAC-SHA1(secret, username)).')),
        ),
      }),
    ),
    ttl: v.pipe(Count, v.description('Seconds the list (and its TURN credential) stays valid.')),
  }),
  v.title('IceServers'),
  v.metadata({ ref: 'IceServers' }),
);
