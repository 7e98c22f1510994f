/**
 * @module What each route adds to the OpenAPI document beyond what its
 * middleware already documents (body, query, token): summary, answers and the
 * error codes its own logic raises. Routes put `describe(ROUTE_DOCS.x)` before
 * their handler. The rules are those of docs/API.md, in short.
 */
import type { RouteDoc } from './openapi.js';
import {
  AccountResponse,
  BundleResponse,
  CallListResponse,
  ConversationListResponse,
  EndedSessionsResponse,
  HealthResponse,
  IceServersResponse,
  LookupResponse,
  MessageListResponse,
  MessageResponse,
  PoolCountsResponse,
  PresenceResponse,
  ProfileResponse,
  ReadinessResponse,
  SessionListResponse,
  SessionResponse,
  VerificationResponse,
} from './schemas.js';

const VERIFICATION_ID =
  'From `POST /api/auth/verification`. A malformed id is answered like an unknown one (`404 VERIFICATION_NOT_FOUND`).';

const USER_ID = "The user's id. A malformed id is answered like an unknown one (`404`).";

/** Every documented route, by operation id. */
export const ROUTE_DOCS = {
  // §2 Auth
  register: {
    operationId: 'register',
    summary: 'Create an account and sign in',
    description:
      'The phone number is normalized (spaces, `-`, `.`, `(`, `)` stripped) and must then be E.164. ' +
      "`409 PHONE_TAKEN` is checked before `USERNAME_TAKEN`. The answer is the same as login's: the token works at once, in a new device session. " +
      'With `PHONE_VERIFICATION=required`, `verificationId` must name a verified verification of the same number (unexpired, unused); it is used up by a successful registration. ' +
      'Given when verification is off, it is checked and used up the same way.',
    responses: { 201: { description: 'Registered and signed in.', schema: SessionResponse } },
    errors: [
      'PHONE_TAKEN',
      'USERNAME_TAKEN',
      'VERIFICATION_REQUIRED',
      'VERIFICATION_NOT_FOUND',
      'VERIFICATION_EXPIRED',
    ],
  },
  login: {
    operationId: 'login',
    summary: 'Sign in with phone number and password',
    description:
      'Unknown phone and wrong password give the same `401 INVALID_CREDENTIALS`, in about the same time. ' +
      'The token is a JWT (HS256, `sub` = user id, `sid` = session id, `exp` = `iat` + `JWT_TTL`). ' +
      'Every login opens a new device session.',
    responses: { 200: { description: 'Signed in.', schema: SessionResponse } },
    errors: ['INVALID_CREDENTIALS'],
  },
  startVerification: {
    operationId: 'startVerification',
    summary: 'Start a phone verification and send a code',
    description:
      'Sends a 6-digit code at once (valid 10 minutes). The answer never tells whether the number has an account. ' +
      'Codes are limited per number, per client address and per country calling code (see SECURITY.md): over a limit, `429 RATE_LIMITED` with `Retry-After`. ' +
      '`404 NOT_FOUND` when the server has no phone verifier configured.',
    responses: {
      201: { description: 'Started; the first code is on its way.', schema: VerificationResponse },
    },
    errors: ['NOT_FOUND'],
  },
  resendVerificationCode: {
    operationId: 'resendVerificationCode',
    summary: 'Send a new code',
    description:
      'The new code replaces the previous one and is valid 10 minutes; attempts are not reset. ' +
      'Before `nextCodeAt`: `429 RATE_LIMITED` with `Retry-After`. The waits grow: 30 s after the first code, then 1 min, 2 min, 5 min; ' +
      'after the fifth code (or once verified): `410 VERIFICATION_EXHAUSTED`.',
    responses: { 200: { description: 'A new code is on its way.', schema: VerificationResponse } },
    errors: ['VERIFICATION_NOT_FOUND', 'VERIFICATION_EXPIRED', 'VERIFICATION_EXHAUSTED'],
    pathParams: { verificationId: VERIFICATION_ID },
  },
  checkVerificationCode: {
    operationId: 'checkVerificationCode',
    summary: 'Check a code',
    description:
      'Every well-formed check counts as one of the 5 attempts, right or wrong; a code that is not 6 ASCII digits is a `400 VALIDATION_FAILED` and costs none. ' +
      'A wrong code: `400 INVALID_CODE` with `error.attemptsLeft`. Right: `verified: true`, usable for 10 minutes by register or reset-password. ' +
      'Checking a verified verification again answers it unchanged.',
    responses: { 200: { description: 'Verified.', schema: VerificationResponse } },
    errors: [
      'INVALID_CODE',
      'VERIFICATION_NOT_FOUND',
      'VERIFICATION_EXPIRED',
      'VERIFICATION_EXHAUSTED',
    ],
    pathParams: { verificationId: VERIFICATION_ID },
  },
  resetPassword: {
    operationId: 'resetPassword',
    summary: 'Set a new password with a verified phone number',
    description:
      'Uses up the verification, sets the password, signs in on a new device session and ends every other session of the account ' +
      '(their tokens are refused at once, their sockets closed with 4401). A verified number without an account: `404 USER_NOT_FOUND`, the verification stays usable.',
    responses: { 200: { description: 'Password set and signed in.', schema: SessionResponse } },
    errors: [
      'USER_NOT_FOUND',
      'VERIFICATION_REQUIRED',
      'VERIFICATION_NOT_FOUND',
      'VERIFICATION_EXPIRED',
    ],
  },
  listSessions: {
    operationId: 'listSessions',
    summary: "The caller's device sessions",
    responses: { 200: { description: 'Newest first.', schema: SessionListResponse } },
  },
  endOtherSessions: {
    operationId: 'endOtherSessions',
    summary: 'End every session but the current one',
    description:
      'Their tokens are refused (`401`) on every instance within a second and their sockets closed with 4401.',
    responses: { 200: { description: 'Ended.', schema: EndedSessionsResponse } },
  },
  endSession: {
    operationId: 'endSession',
    summary: 'End one session (log a device out)',
    description:
      "Its tokens are refused (`401`) on every instance within a second and its sockets closed with 4401. May be the caller's own session.",
    responses: { 204: { description: 'Ended.' } },
    errors: ['SESSION_NOT_FOUND'],
    pathParams: {
      sessionId:
        "One of the caller's sessions. Unknown, malformed, already ended or another user's: `404 SESSION_NOT_FOUND`.",
    },
  },
  logout: {
    operationId: 'logout',
    summary: 'End the current session',
    description: 'No body. The token used stops working at once; its sockets are closed with 4401.',
    responses: { 204: { description: 'Logged out.' } },
  },

  // §3 Users
  getAccount: {
    operationId: 'getAccount',
    summary: "The caller's own profile and settings",
    responses: { 200: { description: 'The account.', schema: AccountResponse } },
  },
  updateAccount: {
    operationId: 'updateAccount',
    summary: "Edit the caller's display name, username and privacy settings",
    description:
      "Sign-up's rules apply. Absent fields stay; `username: null` clears the username. " +
      'Partners see the new display name in every frame and list after the answer.',
    responses: { 200: { description: 'The account as stored.', schema: AccountResponse } },
    errors: ['USERNAME_TAKEN'],
  },
  getProfile: {
    operationId: 'getProfile',
    summary: "A user's profile",
    responses: { 200: { description: 'The profile.', schema: ProfileResponse } },
    errors: ['USER_NOT_FOUND'],
    pathParams: { userId: USER_ID },
  },
  findByUsername: {
    operationId: 'findByUsername',
    summary: 'A profile by username (case-insensitive)',
    description: 'A string that cannot be a username is a `404`, never a `400`.',
    responses: { 200: { description: 'The profile.', schema: ProfileResponse } },
    errors: ['USER_NOT_FOUND'],
    pathParams: { username: 'The username, compared without regard to case.' },
  },
  getPresence: {
    operationId: 'getPresence',
    summary: 'Presence of up to 200 users',
    description: 'A pull; pushes come over the WebSocket (`presence-update`).',
    responses: { 200: { description: 'Status by user id.', schema: PresenceResponse } },
  },
  lookupContacts: {
    operationId: 'lookupContacts',
    summary: 'Contact discovery by phone number',
    description:
      'Each number is normalized as at register; numbers that do not normalize or belong to nobody are simply absent.',
    responses: { 200: { description: 'The users found.', schema: LookupResponse } },
  },

  // §4 Chat
  sendMessage: {
    operationId: 'sendMessage',
    summary: 'Send a message',
    description:
      'Pushes `new-message` to every connection of the receiver and of the sender, except the ' +
      'connection named by `x-connection-id`. A retry with a `clientMessageId` already used by the ' +
      'sender answers `200` with the message first stored under it, and stores and pushes nothing. ' +
      'On a server whose database cannot hold U+0000 (FerretDB on PostgreSQL), a `content` or ' +
      '`clientMessageId` containing it answers `400 VALIDATION_FAILED` at that field and stores nothing.',
    responses: {
      201: { description: 'Stored (durably) and pushed.', schema: MessageResponse },
      200: {
        description: 'A retry: the message first stored under this clientMessageId.',
        schema: MessageResponse,
      },
    },
    errors: ['USER_NOT_FOUND'],
    headers: {
      'x-connection-id':
        "The `connectionId` of the sending device's socket (from its `ready` frame): that connection gets no push.",
    },
  },
  listConversations: {
    operationId: 'listConversations',
    summary: "The caller's conversations",
    description:
      'Newest `lastMessage` first. A conversation whose peer no longer exists is left out.',
    responses: {
      200: { description: 'A page of conversations.', schema: ConversationListResponse },
    },
  },
  listMessages: {
    operationId: 'listMessages',
    summary: 'Messages with a user, newest first',
    description:
      '`before` (a message id of this conversation) keeps only older messages, then `offset` skips ' +
      'within those; a `before` that is malformed, unknown or from another conversation is a `400`. ' +
      'An unknown user is checked first (`404`).',
    responses: { 200: { description: 'A page of messages.', schema: MessageListResponse } },
    errors: ['USER_NOT_FOUND'],
    pathParams: { userId: USER_ID },
  },

  // §5 Keys
  publishKeys: {
    operationId: 'publishKeys',
    summary: "Publish the caller's key bundle",
    description:
      "Replaces the caller's bundle and both one-time pools. Keys are hex: EC keys and the identity key " +
      '32 or 33 bytes (`05` + 32), Kyber keys 1569 bytes, signatures 64 bytes. With a 33-byte identity ' +
      'key every signature is verified (XEdDSA) before anything is stored.',
    responses: { 200: { description: 'The sizes of the new pools.', schema: PoolCountsResponse } },
    errors: ['INVALID_SIGNATURE'],
  },
  countPrekeys: {
    operationId: 'countPrekeys',
    summary: "Keys left in the caller's one-time pools",
    responses: {
      200: { description: '`{ 0, 0 }` before any publish.', schema: PoolCountsResponse },
    },
  },
  replenishPrekeys: {
    operationId: 'replenishPrekeys',
    summary: 'Add one-time keys',
    description:
      'Keys already in the pool, or already handed out under the current identity key, are skipped, so ' +
      'a retry is harmless. A pool holds at most 1 000 keys: an overflow stores nothing (`409 POOL_FULL`). ' +
      'Concurrent replenishes of one user take effect one at a time, and each answers `200` with the ' +
      'sizes right after it.',
    responses: { 200: { description: 'The sizes of the pools.', schema: PoolCountsResponse } },
    errors: ['INVALID_SIGNATURE', 'BUNDLE_NOT_FOUND', 'POOL_FULL'],
  },
  fetchBundle: {
    operationId: 'fetchBundle',
    summary: "Fetch a user's key bundle (takes one-time keys)",
    description:
      'A one-time key is handed out at most once, ever, lowest `keyId` first; a fetch never mixes two ' +
      'publishes: one racing a publish answers the bundle of just before or just after it, whole. ' +
      'A fetch leaving a pool under 10 keys pushes `prekeys-low` to the owner. ' +
      'Rate-limited per requester and per target.',
    responses: { 200: { description: 'The bundle.', schema: BundleResponse } },
    errors: ['BUNDLE_NOT_FOUND'],
    pathParams: { userId: USER_ID },
  },

  // §6 Calls
  listCalls: {
    operationId: 'listCalls',
    summary: "The caller's call history",
    description: 'Newest first; only calls the caller took part in, from their first ring.',
    responses: { 200: { description: 'A page of calls.', schema: CallListResponse } },
  },
  getIceServers: {
    operationId: 'getIceServers',
    summary: 'STUN and TURN servers for RTCPeerConnection',
    description:
      'TURN credentials follow the TURN REST scheme (coturn `use-auth-secret`) and expire after `ttl` ' +
      'seconds: fetch a fresh list for each call.',
    responses: { 200: { description: 'The ICE servers.', schema: IceServersResponse } },
  },

  // §9 Operations
  healthz: {
    operationId: 'healthz',
    summary: 'Liveness: the process runs',
    responses: { 200: { description: 'Always, while the process runs.', schema: HealthResponse } },
  },
  readyz: {
    operationId: 'readyz',
    summary: 'Readiness: every configured store answers',
    responses: {
      200: {
        description: 'Ready (`memory` and `disabled` count as ready).',
        schema: ReadinessResponse,
      },
      503: { description: 'A store is down.', schema: ReadinessResponse },
    },
  },
  metrics: {
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: {
        description: 'The Prometheus text exposition format.',
        content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } },
      },
    },
  },
  openApi: {
    operationId: 'openApi',
    summary: 'This OpenAPI 3.1 document',
    responses: {
      200: {
        description: 'Generated from the routes and the schemas that validate them.',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    },
  },
  asyncApi: {
    operationId: 'asyncApi',
    summary: 'The AsyncAPI 3 document of the WebSocket',
    description:
      'Every frame both ways, with its payload schema and an example, generated from the schemas the server validates frames with.',
    responses: {
      200: {
        description: 'An AsyncAPI 3.0 document.',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    },
  },
  docs: {
    operationId: 'docs',
    summary: 'This interactive API reference (Swagger UI)',
    description: 'Works without internet: its scripts and styles are served from `/docs/assets/`.',
    responses: {
      200: {
        description: 'An HTML page.',
        content: { 'text/html; charset=utf-8': { schema: { type: 'string' } } },
      },
    },
  },
  docsAsset: {
    operationId: 'docsAsset',
    summary: 'A script, style sheet or icon of the reference page',
    responses: {
      200: {
        description: 'The file.',
        content: {
          'text/javascript; charset=utf-8': { schema: { type: 'string' } },
          'text/css; charset=utf-8': { schema: { type: 'string' } },
          'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
        },
      },
    },
    errors: ['NOT_FOUND'],
    pathParams: { file: "One of the page's own file names; anything else is a `404`." },
  },
} as const satisfies Record<string, RouteDoc>;
