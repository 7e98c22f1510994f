/** @module `/api/users`: profiles, presence pull, contact discovery (API.md §3). */
import { Hono } from 'hono';
import {
  findByUsername,
  getPresence,
  getProfile,
  lookupByPhoneNumbers,
} from '../../../core/index.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { jsonBody, parseJsonBody } from '../json-body.js';
import { LookupBody, PresenceBody } from '../schemas.js';
import { serializeContact, serializePresence, serializeProfile } from '../serialize.js';

/** The user routes, to mount at `/api/users`; all need a token. */
export function createUserRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));

  routes.get('/by-username/:username', async (c) => {
    const profile = await findByUsername(deps, { username: c.req.param('username') });
    return c.json(serializeProfile(profile), 200);
  });

  routes.get('/:userId/profile', async (c) => {
    const profile = await getProfile(deps, { userId: c.req.param('userId') });
    return c.json(serializeProfile(profile), 200);
  });

  routes.post('/presence', jsonBody(), async (c) => {
    const { userIds } = await parseJsonBody(c, PresenceBody);
    return c.json(serializePresence(await getPresence(deps, { userIds })), 200);
  });

  routes.post('/lookup', jsonBody(), async (c) => {
    const { phoneNumbers } = await parseJsonBody(c, LookupBody);
    const profiles = await lookupByPhoneNumbers(deps, { phoneNumbers });
    return c.json(profiles.map(serializeContact), 200);
  });

  return routes;
}
