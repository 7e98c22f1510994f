/** @module `/api/users`: the caller's account, profiles, presence pull, contact discovery (API.md §3). */
import { Hono } from 'hono';
import {
  blockUser,
  deleteAccount,
  findByUsername,
  getAccount,
  getPresence,
  getProfile,
  listBlocked,
  lookupByPhoneNumbers,
  unblockUser,
  updateAccount,
} from '../../../core/index.js';
import {
  AccountResponse,
  BlockListResponse,
  LookupResponse,
  PresenceResponse,
  ProfileResponse,
} from '../../wire/schemas.js';
import {
  serializeAccount,
  serializeBlockedEntry,
  serializeContact,
  serializePresence,
  serializeProfile,
} from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { byClientAddress, consumeRateLimit, rateLimit } from '../rate-limit.js';
import {
  DeleteAccountBody,
  LookupBody,
  PresenceBody,
  UpdateAccountBody,
  USER_ID_PARAM,
} from '../schemas.js';

/** The user routes, to mount at `/api/users`; all need a token. */
export function createUserRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  // Reads that resolve ids or names to people share one budget per caller (SECURITY.md).
  const profileRead = rateLimit<AuthEnv>('profileReadsPerUser', (c) => c.get('user').id);
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
      method: 'delete',
      path: '/me',
      doc: {
        operationId: 'deleteAccount',
        summary: "Delete the caller's account",
        description:
          'Needs the password (a wrong one is `401 INVALID_CREDENTIALS`, rate-limited as login is). ' +
          'At once: every session ends on every instance (tokens `401`, sockets closed 4401), the ' +
          'profile answers `404 USER_NOT_FOUND`, the phone number and username are free, a live call ' +
          'ends `disconnected`; keys, blocks and presence subscriptions are removed. Conversations and ' +
          'call history stay with the other party, the peer shown as "Deleted account" ' +
          '(docs/API.md, `DELETE /api/users/me`).',
        responses: { 204: { description: 'Deleted.' } },
        errors: ['INVALID_CREDENTIALS'],
      },
      limits: [rateLimit<AuthEnv>('loginPerIp', byClientAddress)],
      body: DeleteAccountBody,
      handler: async (c) => {
        const user = c.get('user');
        // The account's own login budget: guessing its password here is no faster than at login.
        await consumeRateLimit(c, 'loginPerPhone', user.phoneNumber);
        await deleteAccount(deps, { userId: user.id, password: c.req.valid('json').password });
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/me/blocked',
      doc: {
        operationId: 'listBlocked',
        summary: 'The users the caller blocks',
        description: 'Newest block first. Users whose account is gone are left out.',
        responses: { 200: { description: 'The block list.', schema: BlockListResponse } },
      },
      handler: async (c) => {
        const entries = await listBlocked(deps, { blockerId: c.get('user').id });
        return c.json(entries.map(serializeBlockedEntry), 200);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/me/blocked/:userId',
      doc: {
        operationId: 'blockUser',
        summary: 'Block a user',
        description:
          'Idempotent (the first `blockedAt` stays). Takes effect at once on every instance: a call ' +
          'between the two ends (`call-ended` `disconnected` for both). What the blocked user is told ' +
          'of each action is in docs/API.md ("Blocking"); no answer reveals the block.',
        responses: { 204: { description: 'Blocked.' } },
        errors: ['USER_NOT_FOUND', 'VALIDATION_FAILED'],
        pathParams: { userId: `${USER_ID_PARAM} Blocking oneself is a \`400\`.` },
      },
      handler: async (c) => {
        await blockUser(deps, { blockerId: c.get('user').id, blockedId: c.req.param('userId') });
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/me/blocked/:userId',
      doc: {
        operationId: 'unblockUser',
        summary: 'Unblock a user',
        description:
          'Idempotent: an id that is not blocked (or unknown, or malformed) is a `204` too.',
        responses: { 204: { description: 'Not blocked (any more).' } },
        pathParams: { userId: "The blocked user's id." },
      },
      handler: async (c) => {
        await unblockUser(deps, { blockerId: c.get('user').id, blockedId: c.req.param('userId') });
        return c.body(null, 204);
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
      limits: [profileRead],
      handler: async (c) => {
        const profile = await findByUsername(deps, {
          username: c.req.param('username'),
          callerId: c.get('user').id,
        });
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
      limits: [profileRead],
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
        // One point per id asked about: a pull of 200 ids costs what 200 profile reads do.
        await consumeRateLimit(c, 'profileReadsPerUser', c.get('user').id, userIds.length);
        const presence = await getPresence(deps, { userIds, callerId: c.get('user').id });
        return c.json(serializePresence(presence), 200);
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
        const profiles = await lookupByPhoneNumbers(deps, {
          phoneNumbers,
          callerId: c.get('user').id,
        });
        return c.json(profiles.map(serializeContact), 200);
      },
    }),
  ]);
}
