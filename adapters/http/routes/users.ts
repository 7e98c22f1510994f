/** @module `/api/users`: profiles, presence pull, contact discovery (API.md §3). */
import { Hono } from 'hono';
import {
  findByUsername,
  getAccount,
  getPresence,
  getProfile,
  lookupByPhoneNumbers,
  updateAccount,
} from '../../../core/index.js';
import {
  serializeAccount,
  serializeContact,
  serializePresence,
  serializeProfile,
} from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { validJsonBody } from '../json-body.js';
import { describe } from '../openapi.js';
import { consumeRateLimit } from '../rate-limit.js';
import { ROUTE_DOCS } from '../route-docs.js';
import { LookupBody, PresenceBody, UpdateAccountBody } from '../schemas.js';

/** The user routes, to mount at `/api/users`; all need a token. */
export function createUserRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));

  routes.get('/me', describe(ROUTE_DOCS.getAccount), async (c) => {
    const account = await getAccount(deps, { userId: c.get('user').id });
    return c.json(serializeAccount(account), 200);
  });

  routes.patch(
    '/me',
    describe(ROUTE_DOCS.updateAccount),
    validJsonBody(UpdateAccountBody),
    async (c) => {
      const body = c.req.valid('json');
      const account = await updateAccount(deps, {
        userId: c.get('user').id,
        ...(body.displayName != null && { displayName: body.displayName }),
        ...(body.username !== undefined && { username: body.username }),
        ...(body.readReceipts != null && { readReceipts: body.readReceipts }),
        ...(body.typingIndicators != null && { typingIndicators: body.typingIndicators }),
      });
      return c.json(serializeAccount(account), 200);
    },
  );

  routes.get('/by-username/:username', describe(ROUTE_DOCS.findByUsername), async (c) => {
    const profile = await findByUsername(deps, { username: c.req.param('username') });
    return c.json(serializeProfile(profile), 200);
  });

  routes.get('/:userId/profile', describe(ROUTE_DOCS.getProfile), async (c) => {
    // One's own profile comes from the user requireAuth has just read.
    const profile = await getProfile(deps, {
      userId: c.req.param('userId'),
      caller: c.get('user'),
    });
    return c.json(serializeProfile(profile), 200);
  });

  routes.post(
    '/presence',
    describe(ROUTE_DOCS.getPresence),
    validJsonBody(PresenceBody),
    async (c) => {
      const { userIds } = c.req.valid('json');
      return c.json(serializePresence(await getPresence(deps, { userIds })), 200);
    },
  );

  routes.post(
    '/lookup',
    describe(ROUTE_DOCS.lookupContacts),
    validJsonBody(LookupBody),
    async (c) => {
      const { phoneNumbers } = c.req.valid('json');
      // Contact discovery is an enumeration vector: each number looked up costs one point.
      await consumeRateLimit(c, 'lookupPerUser', c.get('user').id, phoneNumbers.length);
      const profiles = await lookupByPhoneNumbers(deps, { phoneNumbers });
      return c.json(profiles.map(serializeContact), 200);
    },
  );

  return routes;
}
