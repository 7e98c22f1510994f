/** @module `/api/users`: the caller's account, profiles, presence pull, contact discovery (API.md §3). */
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
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { consumeRateLimit } from '../rate-limit.js';
import {
  AccountResponse,
  LookupBody,
  LookupResponse,
  PresenceBody,
  PresenceResponse,
  ProfileResponse,
  UpdateAccountBody,
  USER_ID_PARAM,
} from '../schemas.js';

/** The user routes, to mount at `/api/users`; all need a token. */
export function createUserRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/me',
      doc: {
        operationId: 'getAccount',
        summary: "The caller's own profile and settings",
        responses: { 200: { description: 'The account.', schema: AccountResponse } },
      },
      handler: async (c) => {
        const account = await getAccount(deps, { userId: c.get('user').id });
        return c.json(serializeAccount(account), 200);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/me',
      doc: {
        operationId: 'updateAccount',
        summary: "Edit the caller's display name, username and privacy settings",
        description:
          "Sign-up's rules apply. Absent fields stay; `username: null` clears the username. " +
          'Partners see the new display name in every frame and list after the answer.',
        responses: { 200: { description: 'The account as stored.', schema: AccountResponse } },
        errors: ['USERNAME_TAKEN'],
      },
      body: UpdateAccountBody,
      handler: async (c) => {
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
    }),
    defineRoute({
      method: 'get',
      path: '/by-username/:username',
      doc: {
        operationId: 'findByUsername',
        summary: 'A profile by username (case-insensitive)',
        description: 'A string that cannot be a username is a `404`, never a `400`.',
        responses: { 200: { description: 'The profile.', schema: ProfileResponse } },
        errors: ['USER_NOT_FOUND'],
        pathParams: { username: 'The username, compared without regard to case.' },
      },
      handler: async (c) => {
        const profile = await findByUsername(deps, { username: c.req.param('username') });
        return c.json(serializeProfile(profile), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/:userId/profile',
      doc: {
        operationId: 'getProfile',
        summary: "A user's profile",
        responses: { 200: { description: 'The profile.', schema: ProfileResponse } },
        errors: ['USER_NOT_FOUND'],
        pathParams: { userId: USER_ID_PARAM },
      },
      handler: async (c) => {
        // One's own profile comes from the user requireAuth has just read.
        const profile = await getProfile(deps, {
          userId: c.req.param('userId'),
          caller: c.get('user'),
        });
        return c.json(serializeProfile(profile), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/presence',
      doc: {
        operationId: 'getPresence',
        summary: 'Presence of up to 200 users',
        description: 'A pull; pushes come over the WebSocket (`presence-update`).',
        responses: { 200: { description: 'Status by user id.', schema: PresenceResponse } },
      },
      body: PresenceBody,
      handler: async (c) => {
        const { userIds } = c.req.valid('json');
        return c.json(serializePresence(await getPresence(deps, { userIds })), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/lookup',
      doc: {
        operationId: 'lookupContacts',
        summary: 'Contact discovery by phone number',
        description:
          'Each number is normalized as at register; numbers that do not normalize or belong to nobody are simply absent.',
        responses: { 200: { description: 'The users found.', schema: LookupResponse } },
      },
      body: LookupBody,
      handler: async (c) => {
        const { phoneNumbers } = c.req.valid('json');
        // Contact discovery is an enumeration vector: each number looked up costs one point.
        await consumeRateLimit(c, 'lookupPerUser', c.get('user').id, phoneNumbers.length);
        const profiles = await lookupByPhoneNumbers(deps, { phoneNumbers });
        return c.json(profiles.map(serializeContact), 200);
      },
    }),
  ]);
}
