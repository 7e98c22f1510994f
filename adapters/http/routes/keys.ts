/** @module `/api/keys`: the E2EE prekey directory (API.md §5). */
import { Hono } from 'hono';
import {
  countPrekeys,
  fetchBundle,
  publishKeyBundle,
  replenishPrekeys,
} from '../../../core/index.js';
import { BundleResponse, PoolCountsResponse } from '../../wire/schemas.js';
import { serializeBundle, serializePoolCounts } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { LARGE_BODY_LIMIT_BYTES } from '../json-body.js';
import { rateLimit } from '../rate-limit.js';
import { PublishKeysBody, ReplenishKeysBody, USER_ID_PARAM } from '../schemas.js';

/** The key routes, to mount at `/api/keys`; all need a token. */
export function createKeyRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  return mountRoutes(routes, [
    defineRoute({
      method: 'post',
      path: '/publish',
      doc: {
        operationId: 'publishKeys',
        summary: "Publish the caller's key bundle",
        description:
          "Replaces the caller's bundle and both one-time pools. Keys are hex: EC keys and the identity key " +
          '32 or 33 bytes (`05` + 32), Kyber keys 1569 bytes, signatures 64 bytes. With a 33-byte identity ' +
          'key every signature is verified (XEdDSA) before anything is stored.',
        responses: {
          200: { description: 'The sizes of the new pools.', schema: PoolCountsResponse },
        },
        errors: ['INVALID_SIGNATURE'],
      },
      // Before the body is read: a refused publish never makes the server buffer 512 KiB.
      limits: [rateLimit<AuthEnv>('publishPerUser', (c) => c.get('user').id)],
      body: PublishKeysBody,
      maxBodyBytes: LARGE_BODY_LIMIT_BYTES,
      handler: async (c) => {
        const body = c.req.valid('json');
        const counts = await publishKeyBundle(deps, {
          userId: c.get('user').id,
          identityKey: body.identityKey,
          registrationId: body.registrationId,
          signedPreKey: body.signedPreKey,
          oneTimePreKeys: body.oneTimePreKeys,
          kyberPreKey: body.kyberPreKey ?? null,
          kyberOneTimePreKeys: body.kyberOneTimePreKeys ?? [],
        });
        return c.json(serializePoolCounts(counts), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/onetime/count',
      doc: {
        operationId: 'countPrekeys',
        summary: "Keys left in the caller's one-time pools",
        responses: {
          200: { description: '`{ 0, 0 }` before any publish.', schema: PoolCountsResponse },
        },
      },
      handler: async (c) => {
        const counts = await countPrekeys(deps, { userId: c.get('user').id });
        return c.json(serializePoolCounts(counts), 200);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/onetime/replenish',
      doc: {
        operationId: 'replenishPrekeys',
        summary: 'Add one-time keys',
        description:
          'Keys already in the pool, or already handed out under the current identity key, are skipped, so ' +
          'a retry is harmless. A pool holds at most 1 000 keys: an overflow stores nothing (`409 POOL_FULL`). ' +
          'Concurrent replenishes of one user take effect one at a time, and each answers `200` with the ' +
          'sizes right after it.',
        responses: { 200: { description: 'The sizes of the pools.', schema: PoolCountsResponse } },
        errors: ['INVALID_SIGNATURE', 'BUNDLE_NOT_FOUND', 'POOL_FULL'],
      },
      body: ReplenishKeysBody,
      maxBodyBytes: LARGE_BODY_LIMIT_BYTES,
      handler: async (c) => {
        const body = c.req.valid('json');
        const counts = await replenishPrekeys(deps, {
          userId: c.get('user').id,
          oneTimePreKeys: body.oneTimePreKeys ?? [],
          kyberOneTimePreKeys: body.kyberOneTimePreKeys ?? [],
        });
        return c.json(serializePoolCounts(counts), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/:userId/bundle',
      doc: {
        operationId: 'fetchBundle',
        summary: "Fetch a user's key bundle (takes one-time keys)",
        description:
          'A one-time key is handed out at most once, ever, lowest `keyId` first; a fetch never mixes two ' +
          'publishes: one racing a publish answers the bundle of just before or just after it, whole. ' +
          'A fetch leaving a pool under 10 keys pushes `prekeys-low` to the owner. ' +
          'Rate-limited per requester and per target.',
        responses: { 200: { description: 'The bundle.', schema: BundleResponse } },
        errors: ['BUNDLE_NOT_FOUND'],
        pathParams: { userId: USER_ID_PARAM },
      },
      // Nobody drains another user's one-time keys (API.md §5): per requester, per
      // pair, then per target, so fetches refused earlier never spend the target's budget.
      limits: [
        rateLimit<AuthEnv>('bundlePerRequester', (c) => c.get('user').id),
        rateLimit<AuthEnv>('bundlePerPair', (c) => `${c.get('user').id}>${c.req.param('userId')}`),
        rateLimit<AuthEnv>('bundlePerTarget', (c) => c.req.param('userId') ?? ''),
      ],
      handler: async (c) => {
        const bundle = await fetchBundle(deps, {
          requesterId: c.get('user').id,
          ownerId: c.req.param('userId'),
        });
        return c.json(serializeBundle(bundle), 200);
      },
    }),
  ]);
}
