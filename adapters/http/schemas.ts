/**
 * @module Every request schema of the HTTP API, in one place: they validate
 * requests and, being the same objects, generate the OpenAPI document's
 * request bodies and queries. The response schemas at the end document the
 * answers (and the one error shape).
 *
 * Policies, the same for every schema:
 * - Unknown fields are ignored and dropped (`v.object` strips them), so older
 *   servers accept newer clients; nothing but the declared fields reaches the core.
 * - Types are strict: an object or number where a string belongs is a `400`,
 *   so a query operator such as `{ "$gt": "" }` never reaches a store.
 * - An optional field may be omitted or `null`; both mean "not given".
 * - Strings are counted in code points, with the core's own rule functions,
 *   so the edge and the core cannot disagree. The core checks the rest (key
 *   lengths, duplicate key ids, signatures, pool sizes, who may see what).
 * - Query integers are plain decimal digits (`1.5`, `-1`, `1e2`, `abc`, `""`
 *   are refused; leading zeros are fine), checked against the route's range.
 */
import * as v from 'valibot';
import {
  CALL_MEDIA,
  CALL_STATUSES,
  CLIENT_MESSAGE_ID_RULE,
  DEFAULT_SYNC_LIMIT,
  DISPLAY_NAME_RULE,
  END_REASONS,
  type ErrorCode,
  HEX_BYTES_RULE,
  KEY_ID_RULE,
  LOOKUP_PHONE_NUMBERS_RULE,
  MAX_KEY_ID,
  MAX_LOOKUP_PHONE_NUMBERS,
  MAX_ONE_TIME_KEYS_PER_REQUEST,
  MAX_PRESENCE_IDS_PER_REQUEST,
  MAX_SYNC_LIMIT,
  MESSAGE_CONTENT_RULE,
  MESSAGE_TYPE_RULE,
  NO_ONE_TIME_KEYS_MESSAGE,
  ONE_TIME_KEY_LIST_RULE,
  PASSWORD_RULE,
  PHONE_NUMBER_RULE,
  PRESENCE_IDS_RULE,
  PRESENCE_STATUSES,
  type Rule,
  USERNAME_RULE,
  VERIFICATION_RULES,
  WELL_FORMED_RULE,
} from '../../core/index.js';
import { STATUS_BY_CODE } from '../wire/errors.js';
import { LOGGED_FRAME_TYPES, SERVER_FRAME_SCHEMAS } from '../wire/frame-schemas.js';

/** Largest `offset` accepted in a query (2³¹−1). */
export const MAX_OFFSET = 2 ** 31 - 1;

const optionalField = <S extends v.GenericSchema>(schema: S) => v.nullish(schema);

/**
 * A core rule as a pipe action: a regex where the rule is a pattern (the
 * OpenAPI document shows it), else a check; the message is the core's.
 */
function follows(rule: Rule) {
  return rule.pattern === undefined
    ? v.check(rule.test, rule.message)
    : v.regex(rule.pattern, rule.message);
}

// ---------------------------------------------------------------------------
// Shared fields

/** A phone number that normalizes to E.164 (spaces, `-`, `.`, `(`, `)` stripped). */
export const PhoneNumber = v.pipe(
  v.string(),
  follows(PHONE_NUMBER_RULE),
  v.title('Phone number'),
  v.description(
    'Spaces, "-", ".", "(" and ")" are stripped; the rest must be + and 7–15 digits, ' +
      'the first not 0.',
  ),
  v.examples(['+491701234567']),
);

/** 3–32 of `[A-Za-z0-9_.]`. */
export const Username = v.pipe(
  v.string(),
  follows(USERNAME_RULE),
  v.title('Username'),
  v.description('Unique without regard to case; stored as given.'),
  v.examples(['alice_w']),
);

/** 1–64 code points after trimming, no control characters. */
export const DisplayName = v.pipe(
  v.string(),
  follows(DISPLAY_NAME_RULE),
  v.title('Display name'),
  v.description(
    'Trimmed, then 1–64 code points without control characters (Unicode Cc) and without ' +
      'bidi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069).',
  ),
  v.examples(['Alice']),
);

/** 8–128 code points of well-formed text. */
export const NewPassword = v.pipe(
  v.string(),
  follows(WELL_FORMED_RULE),
  follows(PASSWORD_RULE),
  v.title('Password'),
  v.description('8–128 code points. Stored only as an argon2id hash.'),
  v.examples(['correct horse battery']),
);

// Any well-formed string at login: a wrong password is a 401, not a 400.
const Password = v.pipe(
  v.string(),
  follows(WELL_FORMED_RULE),
  v.title('Password'),
  v.description('Any well-formed string: a wrong length is just a wrong password (401).'),
);

/** What a `:userId` path parameter means, in every route that has one. */
export const USER_ID_PARAM =
  "The user's id. A malformed id is answered like an unknown one (`404`).";

/** An id as the client sent it; malformed ids are answered like unknown ones by the core. */
export const Id = v.pipe(
  v.string(),
  v.title('Id'),
  v.description('An opaque id (24 hex digits with MongoDB).'),
);

// ---------------------------------------------------------------------------
// §2 Auth

/** The signing-in device's name; absent or null: taken from `User-Agent`. */
export const DeviceName = v.pipe(
  v.string(),
  follows(DISPLAY_NAME_RULE),
  v.title('Device name'),
  v.description(
    'Shown in the session list. Trimmed, then 1–64 code points (same rules as displayName). ' +
      'Absent or null: the User-Agent (control and bidi characters removed, cut to 64 code ' +
      'points), else "Unknown device".',
  ),
  v.examples(['Pixel 8']),
);

/** A verification id from `POST /api/auth/verification`. */
export const VerificationIdField = v.pipe(
  v.string(),
  v.title('Verification id'),
  v.description('From `POST /api/auth/verification`, once its code was checked.'),
);

/** `POST /api/auth/register`. */
export const RegisterBody = v.pipe(
  v.object({
    username: optionalField(Username),
    displayName: DisplayName,
    phoneNumber: PhoneNumber,
    password: NewPassword,
    verificationId: optionalField(VerificationIdField),
    deviceName: optionalField(DeviceName),
  }),
  v.title('RegisterRequest'),
);

/** `POST /api/auth/login`. */
export const LoginBody = v.pipe(
  v.object({ phoneNumber: PhoneNumber, password: Password, deviceName: optionalField(DeviceName) }),
  v.title('LoginRequest'),
);

/** `sms` (default) or `voice`. */
export const Transport = v.pipe(
  v.picklist(['sms', 'voice'], 'Must be "sms" or "voice".'),
  v.title('Transport'),
  v.description('How the code reaches the phone: a text message or a voice call.'),
);

/** `POST /api/auth/verification`. */
export const StartVerificationBody = v.pipe(
  v.object({ phoneNumber: PhoneNumber, transport: optionalField(Transport) }),
  v.title('StartVerificationRequest'),
);

/** `POST /api/auth/verification/:verificationId/code`. */
export const ResendCodeBody = v.pipe(
  v.object({ transport: optionalField(Transport) }),
  v.title('ResendCodeRequest'),
  v.description('`{}` keeps the transport of the last code.'),
);

/** `POST /api/auth/verification/:verificationId/check`. */
export const CheckCodeBody = v.pipe(
  v.object({
    code: v.pipe(
      v.string(),
      v.regex(/^[0-9]{6}$/, 'Must be exactly 6 digits 0–9.'),
      v.description(
        `Exactly ${VERIFICATION_RULES.codeLength} ASCII digits (other Unicode digits are refused). A malformed code costs no attempt.`,
      ),
      v.examples(['123456']),
    ),
  }),
  v.title('CheckCodeRequest'),
);

/** `POST /api/auth/reset-password`. */
export const ResetPasswordBody = v.pipe(
  v.object({
    verificationId: VerificationIdField,
    newPassword: NewPassword,
    deviceName: optionalField(DeviceName),
  }),
  v.title('ResetPasswordRequest'),
);

/** `POST /api/auth/password`. */
export const ChangePasswordBody = v.pipe(
  v.object({
    currentPassword: v.pipe(
      Password,
      v.description('The password now in force; a wrong one is `401 INVALID_CREDENTIALS`.'),
    ),
    newPassword: NewPassword,
  }),
  v.title('ChangePasswordRequest'),
);

/** `DELETE /api/users/me`. */
export const DeleteAccountBody = v.pipe(
  v.object({
    password: v.pipe(
      Password,
      v.description("The account's password; a wrong one is `401 INVALID_CREDENTIALS`."),
    ),
  }),
  v.title('DeleteAccountRequest'),
);

// ---------------------------------------------------------------------------
// §3 Users

/** `POST /api/users/presence`. */
export const PresenceBody = v.pipe(
  v.object({
    userIds: v.pipe(
      v.array(Id),
      v.minLength(1, PRESENCE_IDS_RULE.message),
      v.maxLength(MAX_PRESENCE_IDS_PER_REQUEST, PRESENCE_IDS_RULE.message),
    ),
  }),
  v.title('PresenceRequest'),
  v.description('Unknown and malformed ids are left out of the answer.'),
);

/** `POST /api/users/lookup`. */
export const LookupBody = v.pipe(
  v.object({
    phoneNumbers: v.pipe(
      v.array(v.string()),
      v.minLength(1, LOOKUP_PHONE_NUMBERS_RULE.message),
      v.maxLength(MAX_LOOKUP_PHONE_NUMBERS, LOOKUP_PHONE_NUMBERS_RULE.message),
    ),
  }),
  v.title('LookupRequest'),
  v.description('Numbers that do not normalize or belong to nobody are simply absent.'),
);

/** `PATCH /api/users/me`: every field optional; `username: null` clears it. */
export const UpdateAccountBody = v.pipe(
  v.object({
    displayName: optionalField(DisplayName),
    // Absent leaves it, null clears it: the one field where null is not "not given".
    username: v.optional(
      v.pipe(v.nullable(Username), v.description('`null` clears it; absent leaves it as it is.')),
    ),
    readReceipts: optionalField(
      v.pipe(v.boolean(), v.description('Whether to send read receipts (default true).')),
    ),
    typingIndicators: optionalField(
      v.pipe(v.boolean(), v.description('Whether to send typing indicators (default true).')),
    ),
  }),
  v.title('UpdateAccountRequest'),
  v.description('Absent (or `null`) fields are left as they are, except `username`.'),
);

// ---------------------------------------------------------------------------
// §4 Chat

/** 1–65 536 code points of well-formed text. */
export const MessageContent = v.pipe(
  v.string(),
  follows(MESSAGE_CONTENT_RULE),
  v.title('Message content'),
  v.description('1–65 536 code points, well-formed; kept byte for byte (ciphertext goes here).'),
);

/** 1–32 of `[a-z0-9_-]`. */
export const MessageType = v.pipe(v.string(), follows(MESSAGE_TYPE_RULE), v.title('Message type'));

/** 1–64 code points of well-formed text, unique per sender forever. */
export const ClientMessageId = v.pipe(
  v.string(),
  follows(CLIENT_MESSAGE_ID_RULE),
  v.title('Client message id'),
  v.description(
    '1–64 code points, unique per sender forever: a retry with the same id returns the message first stored under it.',
  ),
);

/** `POST /api/chat/send`. */
export const SendMessageBody = v.pipe(
  v.object({
    receiverId: Id,
    content: MessageContent,
    messageType: optionalField(MessageType),
    clientMessageId: optionalField(ClientMessageId),
  }),
  v.title('SendMessageRequest'),
);

// A query integer in `min`–`max`, `fallback` when absent.
function queryInteger(min: number, max: number, fallback: number) {
  const message = `Must be an integer from ${min} to ${max}.`;
  return v.optional(
    v.pipe(
      v.string(message),
      v.regex(/^[0-9]+$/, message),
      v.transform(Number),
      v.minValue(min, message),
      v.maxValue(max, message),
    ),
    String(fallback),
  );
}

/** `GET /api/chat/conversations`. */
export const ConversationsQuery = v.pipe(
  v.object({
    limit: queryInteger(1, 100, 50),
    offset: queryInteger(0, MAX_OFFSET, 0),
  }),
  v.title('ConversationsQuery'),
);

/** `GET /api/chat/messages/:userId`. */
export const MessagesQuery = v.pipe(
  v.object({
    limit: queryInteger(1, 100, 30),
    offset: queryInteger(0, MAX_OFFSET, 0),
    before: v.optional(
      v.pipe(
        v.string('Must be given once.'),
        v.description('Only messages older than this one (a message id of this conversation).'),
      ),
    ),
  }),
  v.title('MessagesQuery'),
);

/** `POST /api/chat/read`. */
export const ReadBody = v.pipe(
  v.object({
    peerId: v.pipe(v.string('Must be a user id.'), v.description('The other participant.')),
    upTo: v.pipe(
      v.string('Must be a message id.'),
      v.description('A message of the conversation: it and every one before it are read.'),
    ),
  }),
  v.title('ReadBody'),
);

/** `GET /api/sync`. */
export const SyncQuery = v.pipe(
  v.object({
    since: v.pipe(
      queryInteger(0, Number.MAX_SAFE_INTEGER, 0),
      v.description('The last seq you have; 0 (default) for everything still kept.'),
    ),
    limit: queryInteger(1, MAX_SYNC_LIMIT, DEFAULT_SYNC_LIMIT),
  }),
  v.title('SyncQuery'),
);

// ---------------------------------------------------------------------------
// §6 Calls

/** `GET /api/calls`. */
export const CallsQuery = v.pipe(
  v.object({
    limit: queryInteger(1, 100, 30),
    offset: queryInteger(0, MAX_OFFSET, 0),
    before: v.optional(
      v.pipe(
        v.string('Must be given once.'),
        v.description(
          'Only calls older than this one in the history order (a callId of your history: the last of the previous page).',
        ),
      ),
    ),
  }),
  v.title('CallsQuery'),
);

// ---------------------------------------------------------------------------
// §5 Keys

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

const oneTimeKeyList = <S extends v.GenericSchema>(item: S) =>
  v.pipe(
    v.array(item),
    v.maxLength(MAX_ONE_TIME_KEYS_PER_REQUEST, ONE_TIME_KEY_LIST_RULE.message),
    v.description('keyIds must be unique within the list.'),
  );

/** `POST /api/keys/publish`. */
export const PublishKeysBody = v.pipe(
  v.object({
    identityKey: HexKey,
    registrationId: KeyId,
    signedPreKey: SignedPreKeyInput,
    oneTimePreKeys: oneTimeKeyList(PreKeyInput),
    kyberPreKey: optionalField(SignedPreKeyInput),
    kyberOneTimePreKeys: optionalField(oneTimeKeyList(SignedPreKeyInput)),
  }),
  v.title('PublishKeysRequest'),
);

/** `POST /api/keys/onetime/replenish`. */
export const ReplenishKeysBody = v.pipe(
  v.object({
    oneTimePreKeys: optionalField(oneTimeKeyList(PreKeyInput)),
    kyberOneTimePreKeys: optionalField(oneTimeKeyList(SignedPreKeyInput)),
  }),
  v.check(
    (body) => (body.oneTimePreKeys?.length ?? 0) + (body.kyberOneTimePreKeys?.length ?? 0) > 0,
    NO_ONE_TIME_KEYS_MESSAGE,
  ),
  v.title('ReplenishKeysRequest'),
);

// ---------------------------------------------------------------------------
// Responses: the shapes serialize.ts builds (a type test keeps the two in
// step). They validate nothing at run time; they document the answers.

/** ISO-8601 UTC with milliseconds. */
export const Timestamp = v.pipe(
  v.string(),
  v.isoTimestamp(),
  v.description('ISO-8601 UTC with milliseconds.'),
  v.examples(['2026-11-24T19:09:41.123Z']),
);

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

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

/** `DELETE /api/auth/sessions`. */
export const EndedSessionsResponse = v.object({
  ended: v.pipe(Count, v.description('How many sessions were ended.')),
});

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

/** `GET /api/users/me/blocked`: the caller's block list, newest first. */
export const BlockListResponse = v.pipe(
  v.array(
    v.pipe(
      v.object({
        userId: Id,
        username: v.nullable(Username),
        displayName: v.string(),
        blockedAt: Timestamp,
      }),
      v.title('BlockedUser'),
      v.metadata({ ref: 'BlockedUser' }),
    ),
  ),
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

/** `POST /api/users/lookup`: one entry per matched user. */
export const LookupResponse = v.pipe(
  v.array(
    v.pipe(
      v.object({
        _id: Id,
        username: v.nullable(Username),
        displayName: v.string(),
        phoneNumber: v.string(),
      }),
      v.title('Contact'),
      v.metadata({ ref: 'Contact' }),
    ),
  ),
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

/** `POST /api/chat/read`. */
export const ReadResponse = v.pipe(
  v.object({ peerId: Id, upTo: Id, readAt: Timestamp }),
  v.title('ReadState'),
);

/** `GET /api/sync`: logged events as the socket sends them. */
export const SyncResponse = v.pipe(
  v.object({
    events: v.pipe(
      v.array(
        v.union(
          LOGGED_FRAME_TYPES.map((type) =>
            v.object({
              type: v.literal(type),
              seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
              payload: SERVER_FRAME_SCHEMAS[type],
            }),
          ),
        ),
      ),
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

/** `GET /api/chat/messages/:userId`: newest first. */
export const MessageListResponse = v.pipe(
  v.array(
    v.pipe(
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
    ),
  ),
  v.description('Newest first.'),
);

/** `GET /api/chat/conversations`: newest `lastMessage` first. */
export const ConversationListResponse = v.pipe(
  v.array(
    v.pipe(
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
    ),
  ),
  v.description('Newest lastMessage first.'),
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

/** `GET /api/calls`: newest first. */
export const CallListResponse = v.pipe(
  v.array(
    v.pipe(
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
    ),
  ),
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

/** `GET /healthz`. */
export const HealthResponse = v.object({ status: v.literal('ok') });

/** `GET /readyz`, with `200` and `503` alike. */
export const ReadinessResponse = v.pipe(
  v.object({
    mongo: v.picklist(['up', 'down', 'memory']),
    redis: v.picklist(['up', 'down', 'disabled']),
  }),
  v.title('Readiness'),
  v.metadata({ ref: 'Readiness' }),
);

/** The one shape of every error (API.md §1). */
export const ErrorResponse = v.pipe(
  v.object({
    error: v.object({
      code: v.picklist(Object.keys(STATUS_BY_CODE) as [ErrorCode, ...ErrorCode[]]),
      message: v.pipe(v.string(), v.description('For people; clients branch on code only.')),
      details: v.optional(
        v.pipe(
          v.array(
            v.object({
              path: v.pipe(
                v.string(),
                v.description('Dot-joined (oneTimePreKeys.3.keyId); "" for the body itself.'),
              ),
              message: v.string(),
            }),
          ),
          v.description('VALIDATION_FAILED only (always there): one entry per offending field.'),
        ),
      ),
    }),
  }),
  v.title('Error'),
  v.metadata({ ref: 'Error' }),
);

// ---------------------------------------------------------------------------
// Push notifications (docs/API.md "Push notifications")

/** base64url of `bytes` bytes, `=` padding allowed and dropped. */
const base64UrlBytes = (bytes: number, what: string) => {
  const chars = Math.ceil((bytes * 4) / 3);
  return v.pipe(
    v.string(),
    v.regex(
      new RegExp(`^[A-Za-z0-9_-]{${chars}}={0,2}$`),
      `Must be ${what}: ${bytes} bytes of base64url.`,
    ),
    v.transform((value) => value.replace(/=+$/, '')),
  );
};

const ApnsToken = v.pipe(
  v.string(),
  v.regex(/^(?:[0-9a-fA-F]{2}){32,100}$/, 'Must be the device token in hex (64–200 digits).'),
  v.transform((value) => value.toLowerCase()),
);

const WebPushRegistrationBody = v.object({
  kind: v.pipe(
    v.picklist(['webpush', 'unifiedpush']),
    v.description(
      '`unifiedpush`: an endpoint from a UnifiedPush distributor (spoken to as Web Push).',
    ),
  ),
  endpoint: v.pipe(
    v.string(),
    v.maxLength(2048, 'Must be at most 2048 characters.'),
    v.description(
      "`PushSubscription.endpoint`: an `https` URL naming a push service's host (no IP address, no localhost).",
    ),
  ),
  keys: v.object({
    p256dh: base64UrlBytes(65, "the subscription's P-256 public key"),
    auth: base64UrlBytes(16, "the subscription's auth secret"),
  }),
});

const ApnsRegistrationBody = v.object({
  kind: v.literal('apns'),
  token: v.pipe(ApnsToken, v.description('The APNs device token (alert and background pushes).')),
  voipToken: v.optional(
    v.pipe(
      v.nullable(ApnsToken),
      v.description(
        'The PushKit VoIP token; calls ring through CallKit with it. Absent or null: calls come as time-sensitive alerts.',
      ),
    ),
    null,
  ),
  environment: v.pipe(
    v.picklist(['sandbox', 'production']),
    v.description(
      '`sandbox` for development builds, `production` for TestFlight and the App Store.',
    ),
  ),
});

const FcmRegistrationBody = v.object({
  kind: v.literal('fcm'),
  token: v.pipe(
    v.string(),
    v.regex(/^[\x21-\x7e]{1,4096}$/, 'Must be the FCM registration token.'),
    v.description('The FCM registration token.'),
  ),
});

/** `PUT /api/auth/sessions/current/push`. */
export const PushRegistrationBody = v.pipe(
  v.variant('kind', [WebPushRegistrationBody, ApnsRegistrationBody, FcmRegistrationBody]),
  v.title('PushRegistration'),
  v.description(
    "Where to wake this device when it has no socket; replaces the session's previous one.",
  ),
);

/** `GET /api/push/vapid-public-key`. */
export const VapidKeyResponse = v.pipe(
  v.object({
    publicKey: v.pipe(
      v.string(),
      v.description("The server's VAPID key: `applicationServerKey` for `pushManager.subscribe`."),
    ),
  }),
  v.title('VapidPublicKey'),
);
