/** @module `/api/auth`: register and login (API.md §2). No token needed. */
import { Hono } from 'hono';
import { login, normalizePhoneNumber, register } from '../../../core/index.js';
import { serializeSession } from '../../wire/serialize.js';
import type { AppEnv, HttpDeps } from '../env.js';
import { validJsonBody } from '../json-body.js';
import { describe } from '../openapi.js';
import { byClientAddress, consumeRateLimit, rateLimit } from '../rate-limit.js';
import { ROUTE_DOCS } from '../route-docs.js';
import { LoginBody, RegisterBody } from '../schemas.js';

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
      const session = await login(deps, { phoneNumber: body.phoneNumber, password: body.password });
      return c.json(serializeSession(session), 200);
    },
  );

  return routes;
}
