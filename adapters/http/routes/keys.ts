/** @module `/api/keys`: the E2EE prekey directory (API.md §5). */
import { Hono } from 'hono';
import {
  countPrekeys,
  fetchBundle,
  publishKeyBundle,
  replenishPrekeys,
} from '../../../core/index.js';
import { serializeBundle, serializePoolCounts } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { LARGE_BODY_LIMIT_BYTES, validJsonBody } from '../json-body.js';
import { describe } from '../openapi.js';
import { rateLimit } from '../rate-limit.js';
import { ROUTE_DOCS } from '../route-docs.js';
import { PublishKeysBody, ReplenishKeysBody } from '../schemas.js';

/** The key routes, to mount at `/api/keys`; all need a token. */
export function createKeyRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  const large = { maxBytes: LARGE_BODY_LIMIT_BYTES };

  routes.post(
    '/publish',
    describe(ROUTE_DOCS.publishKeys),
    validJsonBody(PublishKeysBody, large),
    async (c) => {
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
  );

  routes.get('/onetime/count', describe(ROUTE_DOCS.countPrekeys), async (c) => {
    const counts = await countPrekeys(deps, { userId: c.get('user').id });
    return c.json(serializePoolCounts(counts), 200);
  });

  routes.post(
    '/onetime/replenish',
    describe(ROUTE_DOCS.replenishPrekeys),
    validJsonBody(ReplenishKeysBody, large),
    async (c) => {
      const body = c.req.valid('json');
      const counts = await replenishPrekeys(deps, {
        userId: c.get('user').id,
        oneTimePreKeys: body.oneTimePreKeys ?? [],
        kyberOneTimePreKeys: body.kyberOneTimePreKeys ?? [],
      });
      return c.json(serializePoolCounts(counts), 200);
    },
  );

  // Nobody drains another user's one-time keys (API.md §5): per requester, per
  // pair, then per target, so fetches refused earlier never spend the target's budget.
  const bundleLimits = [
    rateLimit<AuthEnv>('bundlePerRequester', (c) => c.get('user').id),
    rateLimit<AuthEnv>('bundlePerPair', (c) => `${c.get('user').id}>${c.req.param('userId')}`),
    rateLimit<AuthEnv>('bundlePerTarget', (c) => c.req.param('userId') ?? ''),
  ] as const;
  routes.get('/:userId/bundle', describe(ROUTE_DOCS.fetchBundle), ...bundleLimits, async (c) => {
    const bundle = await fetchBundle(deps, {
      requesterId: c.get('user').id,
      ownerId: c.req.param('userId'),
    });
    return c.json(serializeBundle(bundle), 200);
  });

  return routes;
}
