/** @module `/api/auth`: register and login (API.md §2). No token needed. */
import { Hono } from 'hono';
import { login, register } from '../../../core/index.js';
import type { AppEnv, HttpDeps } from '../env.js';
import { jsonBody, parseJsonBody } from '../json-body.js';
import { LoginBody, RegisterBody } from '../schemas.js';
import { serializeSession } from '../serialize.js';

/** The auth routes, to mount at `/api/auth`. */
export function createAuthRoutes(deps: HttpDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/register', jsonBody(), async (c) => {
    const body = await parseJsonBody(c, RegisterBody);
    const session = await register(deps, {
      phoneNumber: body.phoneNumber,
      username: body.username ?? null,
      displayName: body.displayName,
      password: body.password,
    });
    return c.json(serializeSession(session), 201);
  });

  routes.post('/login', jsonBody(), async (c) => {
    const body = await parseJsonBody(c, LoginBody);
    const session = await login(deps, { phoneNumber: body.phoneNumber, password: body.password });
    return c.json(serializeSession(session), 200);
  });

  return routes;
}
