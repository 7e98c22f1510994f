/**
 * @module Not yet folded into define-route.ts: the docs of the `/api/auth`
 * routes, which still register themselves with `describe(ROUTE_DOCS.x)`.
 * What each route adds to the OpenAPI document beyond what its
 * middleware already documents (body, query, token): summary, answers and the
 * error codes its own logic raises. Routes put `describe(ROUTE_DOCS.x)` before
 * their handler. The rules are those of docs/API.md, in short.
 */
import type { RouteDoc } from './openapi.js';
import {
  EndedSessionsResponse,
  SessionListResponse,
  SessionResponse,
  VerificationResponse,
} from './schemas.js';

const VERIFICATION_ID =
  'From `POST /api/auth/verification`. A malformed id is answered like an unknown one (`404 VERIFICATION_NOT_FOUND`).';

const _USER_ID = "The user's id. A malformed id is answered like an unknown one (`404`).";

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
} as const satisfies Record<string, RouteDoc>;
