/**
 * @module `/api/auth` (API.md §2, docs/API.md "Phone verification" and
 * "Sessions"): register, login, phone verification and password reset need
 * no token; the session routes do.
 */
import { type Context, Hono } from 'hono';
import {
  type CodeSendLimiter,
  changePassword,
  checkVerificationCode,
  endOtherSessions,
  endSession,
  listSessions,
  login,
  normalizePhoneNumber,
  register,
  resendVerificationCode,
  resetPassword,
  startVerification,
} from '../../../core/index.js';
import { SessionListResponse, SessionResponse, VerificationResponse } from '../../wire/schemas.js';
import {
  serializeDeviceSession,
  serializeSession,
  serializeVerification,
} from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { createRateLimitedCodeSendLimiter } from '../code-send-limiter.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv, AuthEnv, HttpDeps } from '../env.js';
import { requestHeader } from '../node-bindings.js';
import { byClientAddress, consumeRateLimit, rateLimit } from '../rate-limit.js';
import type { RateLimiters } from '../rate-limiters.js';
import {
  ChangePasswordBody,
  CheckCodeBody,
  EndedSessionsResponse,
  LoginBody,
  RegisterBody,
  ResendCodeBody,
  ResetPasswordBody,
  StartVerificationBody,
} from '../schemas.js';

const VERIFICATION_ID =
  'From `POST /api/auth/verification`. A malformed id is answered like an unknown one (`404 VERIFICATION_NOT_FOUND`).';

const unlimited: CodeSendLimiter = { consume: async () => {} };

/**
 * The code send limits of this request: the app's limiters (in Redis with
 * several instances), none with `RATE_LIMITS=off`.
 */
function codeSendLimiterOf(c: Context<AppEnv>): CodeSendLimiter {
  const limiters = c.get('rateLimiters') as RateLimiters | undefined;
  return limiters === undefined ? unlimited : createRateLimitedCodeSendLimiter(limiters);
}

function userAgentOf(c: Context): string | null {
  return requestHeader(c, 'user-agent') ?? null;
}

/** The auth routes, to mount at `/api/auth`. */
export function createAuthRoutes(deps: HttpDeps): Hono<AppEnv> {
  const routes = mountRoutes(new Hono<AppEnv>(), [
    defineRoute({
      method: 'post',
      path: '/register',
      doc: {
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
      limits: [rateLimit('registerPerIp', byClientAddress)],
      body: RegisterBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const session = await register(deps, {
          phoneNumber: body.phoneNumber,
          username: body.username ?? null,
          displayName: body.displayName,
          password: body.password,
          verificationId: body.verificationId ?? null,
          deviceName: body.deviceName ?? null,
          userAgent: userAgentOf(c),
        });
        return c.json(serializeSession(session), 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/login',
      doc: {
        operationId: 'login',
        summary: 'Sign in with phone number and password',
        description:
          'Unknown phone and wrong password give the same `401 INVALID_CREDENTIALS`, in about the same time. ' +
          'The token is a JWT (HS256, `sub` = user id, `sid` = session id, `exp` = `iat` + `JWT_TTL`). ' +
          'Every login opens a new device session.',
        responses: { 200: { description: 'Signed in.', schema: SessionResponse } },
        errors: ['INVALID_CREDENTIALS'],
      },
      limits: [rateLimit('loginPerIp', byClientAddress)],
      body: LoginBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        // Per account, before the password is hashed: guessing one account's password is slow.
        const phoneNumber = normalizePhoneNumber(body.phoneNumber) ?? body.phoneNumber;
        await consumeRateLimit(c, 'loginPerPhone', phoneNumber);
        const session = await login(deps, {
          phoneNumber: body.phoneNumber,
          password: body.password,
          deviceName: body.deviceName ?? null,
          userAgent: userAgentOf(c),
        });
        return c.json(serializeSession(session), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/verification',
      doc: {
        operationId: 'startVerification',
        summary: 'Start a phone verification and send a code',
        description:
          'Sends a 6-digit code at once (valid 10 minutes). The answer never tells whether the number has an account. ' +
          'Codes are limited per number, per client address and per country calling code (see SECURITY.md): over a limit, `429 RATE_LIMITED` with `Retry-After`. ' +
          '`404 NOT_FOUND` when the server has no phone verifier configured.',
        responses: {
          201: {
            description: 'Started; the first code is on its way.',
            schema: VerificationResponse,
          },
        },
        errors: ['NOT_FOUND'],
      },
      body: StartVerificationBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const view = await startVerification(
          { ...deps, codeSendLimiter: codeSendLimiterOf(c) },
          {
            phoneNumber: body.phoneNumber,
            transport: body.transport ?? 'sms',
            clientAddress: byClientAddress(c),
          },
        );
        return c.json(serializeVerification(view), 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/verification/:verificationId/code',
      doc: {
        operationId: 'resendVerificationCode',
        summary: 'Send a new code',
        description:
          'The new code replaces the previous one and is valid 10 minutes; attempts are not reset. ' +
          'Before `nextCodeAt`: `429 RATE_LIMITED` with `Retry-After`. The waits grow: 30 s after the first code, then 1 min, 2 min, 5 min; ' +
          'after the fifth code (or once verified): `410 VERIFICATION_EXHAUSTED`.',
        responses: {
          200: { description: 'A new code is on its way.', schema: VerificationResponse },
        },
        errors: ['VERIFICATION_NOT_FOUND', 'VERIFICATION_EXPIRED', 'VERIFICATION_EXHAUSTED'],
        pathParams: { verificationId: VERIFICATION_ID },
      },
      body: ResendCodeBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const view = await resendVerificationCode(
          { ...deps, codeSendLimiter: codeSendLimiterOf(c) },
          {
            verificationId: c.req.param('verificationId'),
            transport: body.transport ?? undefined,
            clientAddress: byClientAddress(c),
          },
        );
        return c.json(serializeVerification(view), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/verification/:verificationId/check',
      doc: {
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
      body: CheckCodeBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const view = await checkVerificationCode(deps, {
          verificationId: c.req.param('verificationId'),
          code: body.code,
        });
        return c.json(serializeVerification(view), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/reset-password',
      doc: {
        operationId: 'resetPassword',
        summary: 'Set a new password with a verified phone number',
        description:
          'Uses up the verification, sets the password, signs in on a new device session and ends every other session of the account ' +
          '(their tokens are refused at once, their sockets closed with 4401). A verified number without an account: `404 USER_NOT_FOUND`, the verification stays usable.',
        responses: {
          200: { description: 'Password set and signed in.', schema: SessionResponse },
        },
        errors: [
          'USER_NOT_FOUND',
          'VERIFICATION_REQUIRED',
          'VERIFICATION_NOT_FOUND',
          'VERIFICATION_EXPIRED',
        ],
      },
      limits: [rateLimit('loginPerIp', byClientAddress)],
      body: ResetPasswordBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const session = await resetPassword(deps, {
          verificationId: body.verificationId,
          newPassword: body.newPassword,
          deviceName: body.deviceName ?? null,
          userAgent: userAgentOf(c),
        });
        return c.json(serializeSession(session), 200);
      },
    }),
  ]);

  // Device sessions and the password: the caller's own, behind the token.
  // Per route, in a group of their own: a `use` would reach the token-free
  // routes above.
  const auth = requireAuth({ deps });
  return routes.route(
    '/',
    mountRoutes(new Hono<AuthEnv>(), [
      defineRoute({
        method: 'get',
        path: '/sessions',
        doc: {
          operationId: 'listSessions',
          summary: "The caller's device sessions",
          responses: { 200: { description: 'Newest first.', schema: SessionListResponse } },
        },
        limits: [auth],
        handler: async (c) => {
          const list = await listSessions(deps, {
            userId: c.get('user').id,
            currentSessionId: c.get('sessionId'),
          });
          return c.json(list.map(serializeDeviceSession), 200);
        },
      }),
      defineRoute({
        method: 'delete',
        path: '/sessions',
        doc: {
          operationId: 'endOtherSessions',
          summary: 'End every session but the current one',
          description:
            'Their tokens are refused (`401`) on every instance within a second and their sockets closed with 4401.',
          responses: { 200: { description: 'Ended.', schema: EndedSessionsResponse } },
        },
        limits: [auth],
        handler: async (c) => {
          const ended = await endOtherSessions(deps, {
            userId: c.get('user').id,
            currentSessionId: c.get('sessionId'),
          });
          return c.json({ ended }, 200);
        },
      }),
      defineRoute({
        method: 'delete',
        path: '/sessions/:sessionId',
        doc: {
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
        limits: [auth],
        handler: async (c) => {
          await endSession(deps, { userId: c.get('user').id, sessionId: c.req.param('sessionId') });
          return c.body(null, 204);
        },
      }),
      defineRoute({
        method: 'post',
        path: '/logout',
        doc: {
          operationId: 'logout',
          summary: 'End the current session',
          description:
            'No body. The token used stops working at once; its sockets are closed with 4401.',
          responses: { 204: { description: 'Logged out.' } },
        },
        limits: [auth],
        handler: async (c) => {
          await endSession(deps, { userId: c.get('user').id, sessionId: c.get('sessionId') });
          return c.body(null, 204);
        },
      }),
      defineRoute({
        method: 'post',
        path: '/password',
        doc: {
          operationId: 'changePassword',
          summary: "Change the caller's password",
          description:
            'Needs the current password: a wrong one is `401 INVALID_CREDENTIALS`, rate-limited as ' +
            "login is (per client address, and per the account's phone number, one budget with login). " +
            "The new password follows sign-up's rule. Every other session of the account ends (its " +
            'tokens `401`, its sockets closed 4401 on every instance); the calling session and its ' +
            'token stay valid.',
          responses: {
            200: {
              description: 'Changed; how many other sessions ended.',
              schema: EndedSessionsResponse,
            },
          },
          errors: ['INVALID_CREDENTIALS'],
        },
        limits: [auth, rateLimit('loginPerIp', byClientAddress)],
        body: ChangePasswordBody,
        handler: async (c) => {
          const body = c.req.valid('json');
          const user = c.get('user');
          // The account's own login budget: guessing its password here is no faster than at login.
          await consumeRateLimit(c, 'loginPerPhone', user.phoneNumber);
          const ended = await changePassword(deps, {
            userId: user.id,
            currentSessionId: c.get('sessionId'),
            currentPassword: body.currentPassword,
            newPassword: body.newPassword,
          });
          return c.json({ ended }, 200);
        },
      }),
    ]),
  );
}
