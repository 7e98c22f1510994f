/**
 * @module Every request schema of the HTTP API, in one place: they validate
 * requests and, being the same objects, generate the OpenAPI document's
 * request bodies and queries. The answers serialize.ts builds are documented
 * by the schemas beside it (adapters/wire/schemas.ts), with the fields
 * requests share with them; the few answers only HTTP gives, and the one
 * error shape, are at the end.
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
  CLIENT_MESSAGE_ID_RULE,
  DEFAULT_SYNC_LIMIT,
  DEVICE_NAME_RULE,
  DISPLAY_NAME_RULE,
  type ErrorCode,
  LOOKUP_PHONE_NUMBERS_RULE,
  MAX_LOOKUP_PHONE_NUMBERS,
  MAX_ONE_TIME_KEYS_PER_REQUEST,
  MAX_PRESENCE_IDS_PER_REQUEST,
  MAX_PUSH_ENDPOINT_LENGTH,
  MAX_SYNC_LIMIT,
  MESSAGE_CONTENT_RULE,
  MESSAGE_TYPE_RULE,
  NO_ONE_TIME_KEYS_MESSAGE,
  ONE_TIME_KEY_LIST_RULE,
  PASSWORD_RULE,
  PHONE_NUMBER_RULE,
  PRESENCE_IDS_RULE,
  PUSH_ENDPOINT_LENGTH_RULE,
  VERIFICATION_CODE_RULE,
  VERIFICATION_RULES,
  WELL_FORMED_RULE,
} from '../../core/index.js';
import { STATUS_BY_CODE } from '../wire/errors.js';
import {
  Count,
  HexKey,
  Id,
  KeyId,
  PreKeyInput,
  SignedPreKeyInput,
  Transport,
  Username,
} from '../wire/schemas.js';
import { follows } from '../wire/validate.js';

/** Largest `offset` accepted in a query (2³¹−1). */
export const MAX_OFFSET = 2 ** 31 - 1;

const optionalField = <S extends v.GenericSchema>(schema: S) => v.nullish(schema);

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

// ---------------------------------------------------------------------------
// §2 Auth

/** The signing-in device's name; absent or null: taken from `User-Agent`. */
export const DeviceName = v.pipe(
  v.string(),
  follows(DEVICE_NAME_RULE),
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
      follows(VERIFICATION_CODE_RULE),
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
// Answers only HTTP gives, built in their routes; those serialize.ts builds
// live with it (adapters/wire/schemas.ts).

/** `DELETE /api/auth/sessions`. */
export const EndedSessionsResponse = v.object({
  ended: v.pipe(Count, v.description('How many sessions were ended.')),
});

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
    v.maxLength(MAX_PUSH_ENDPOINT_LENGTH, PUSH_ENDPOINT_LENGTH_RULE.message),
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
