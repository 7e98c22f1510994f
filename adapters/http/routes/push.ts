/**
 * @module Push notifications (docs/API.md "Push notifications"): the current
 * session's push registration, mounted at `/api/auth/sessions/current/push`,
 * and the VAPID key browsers subscribe with, at `/api/push`.
 */
import { Hono } from 'hono';
import {
  type PushRegistration,
  removePushRegistration,
  setPushRegistration,
} from '../../../core/index.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv, AuthEnv, HttpDeps } from '../env.js';
import { errorResponse } from '../error-handler.js';
import { PushRegistrationBody, VapidKeyResponse } from '../schemas.js';

/** `PUT`/`DELETE` of the calling session's registration; mount at `/api/auth/sessions/current/push`. */
export function createPushRegistrationRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  return mountRoutes(routes, [
    defineRoute({
      method: 'put',
      path: '/',
      doc: {
        operationId: 'setPushRegistration',
        summary: "Set the current session's push registration",
        description:
          'Replaces any registration this session had. The same device address (endpoint or token) leaves any other session that held it. Ending the session removes it. A kind the server has no credentials for, and a Web Push endpoint that is not `https` or names an IP address or localhost, answer 400 at the field.',
        responses: { 204: { description: 'Stored.' } },
        errors: ['SESSION_NOT_FOUND'],
      },
      body: PushRegistrationBody,
      handler: async (c) => {
        await setPushRegistration(deps, {
          userId: c.get('user').id,
          sessionId: c.get('sessionId'),
          registration: c.req.valid('json') as PushRegistration,
        });
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/',
      doc: {
        operationId: 'removePushRegistration',
        summary: "Remove the current session's push registration",
        description: 'Idempotent: a session without one answers 204 too.',
        responses: { 204: { description: 'Removed (or there was none).' } },
        errors: ['SESSION_NOT_FOUND'],
      },
      handler: async (c) => {
        await removePushRegistration(deps, {
          userId: c.get('user').id,
          sessionId: c.get('sessionId'),
        });
        return c.body(null, 204);
      },
    }),
  ]);
}

/** `GET /vapid-public-key`, no token needed; mount at `/api/push`. */
export function createPushRoutes(options: {
  readonly vapidPublicKey: string | null;
}): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/vapid-public-key',
      doc: {
        operationId: 'getVapidPublicKey',
        summary: "The server's VAPID public key, for Web Push subscriptions",
        description: '404 `NOT_FOUND` when this server sends no Web Push.',
        responses: { 200: { description: 'The key (base64url).', schema: VapidKeyResponse } },
        errors: ['NOT_FOUND'],
      },
      handler: (c) => {
        if (options.vapidPublicKey === null) {
          return errorResponse(c, 'NOT_FOUND', 'This server sends no Web Push.');
        }
        return c.json({ publicKey: options.vapidPublicKey }, 200);
      },
    }),
  ]);
}
