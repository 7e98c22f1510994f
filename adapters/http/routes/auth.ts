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
import {
  serializeDeviceSession,
  serializeSession,
  serializeVerification,
} from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { createRateLimitedCodeSendLimiter } from '../code-send-limiter.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv, AuthEnv, HttpDeps } from '../env.js';
import { validJsonBody } from '../json-body.js';
import { requestHeader } from '../node-bindings.js';
import { describe } from '../openapi.js';
import { byClientAddress, consumeRateLimit, rateLimit } from '../rate-limit.js';
import type { RateLimiters } from '../rate-limiters.js';
import { ROUTE_DOCS } from '../route-docs.js';
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
  const routes = new Hono<AppEnv>();

  routes.post(
    '/register',
    describe(ROUTE_DOCS.register),
    rateLimit('registerPerIp', byClientAddress),
    validJsonBody(RegisterBody),
    async (c) => {
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
  );

  routes.post(
    '/login',
    describe(ROUTE_DOCS.login),
    rateLimit('loginPerIp', byClientAddress),
    validJsonBody(LoginBody),
    async (c) => {
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
  );

  routes.post(
    '/verification',
    describe(ROUTE_DOCS.startVerification),
    validJsonBody(StartVerificationBody),
    async (c) => {
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
  );

  routes.post(
    '/verification/:verificationId/code',
    describe(ROUTE_DOCS.resendVerificationCode),
    validJsonBody(ResendCodeBody),
    async (c) => {
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
  );

  routes.post(
    '/verification/:verificationId/check',
    describe(ROUTE_DOCS.checkVerificationCode),
    validJsonBody(CheckCodeBody),
    async (c) => {
      const body = c.req.valid('json');
      const view = await checkVerificationCode(deps, {
        verificationId: c.req.param('verificationId'),
        code: body.code,
      });
      return c.json(serializeVerification(view), 200);
    },
  );

  routes.post(
    '/reset-password',
    describe(ROUTE_DOCS.resetPassword),
    rateLimit('loginPerIp', byClientAddress),
    validJsonBody(ResetPasswordBody),
    async (c) => {
      const body = c.req.valid('json');
      const session = await resetPassword(deps, {
        verificationId: body.verificationId,
        newPassword: body.newPassword,
        deviceName: body.deviceName ?? null,
        userAgent: userAgentOf(c),
      });
      return c.json(serializeSession(session), 200);
    },
  );

  // Device sessions: the caller's own, behind the token (per route: the
  // routes above take none).
  const auth = requireAuth({ deps });
  routes.get('/sessions', describe(ROUTE_DOCS.listSessions), auth, async (c) => {
    const list = await listSessions(deps, {
      userId: c.get('user').id,
      currentSessionId: c.get('sessionId'),
    });
    return c.json(list.map(serializeDeviceSession), 200);
  });
  routes.delete('/sessions', describe(ROUTE_DOCS.endOtherSessions), auth, async (c) => {
    const ended = await endOtherSessions(deps, {
      userId: c.get('user').id,
      currentSessionId: c.get('sessionId'),
    });
    return c.json({ ended }, 200);
  });
  routes.delete('/sessions/:sessionId', describe(ROUTE_DOCS.endSession), auth, async (c) => {
    await endSession(deps, { userId: c.get('user').id, sessionId: c.req.param('sessionId') });
    return c.body(null, 204);
  });
  routes.post('/logout', describe(ROUTE_DOCS.logout), auth, async (c) => {
    await endSession(deps, { userId: c.get('user').id, sessionId: c.get('sessionId') });
    return c.body(null, 204);
  });
  // Its own group so that the token check stays on this route (a `use` would
  // reach the token-free routes above).
  routes.route(
    '/',
    mountRoutes(new Hono<AuthEnv>(), [
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

  return routes;
}
