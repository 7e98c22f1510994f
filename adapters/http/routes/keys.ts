/** @module `/api/keys`: the E2EE prekey directory (API.md §5). */
import { Hono } from 'hono';
import {
  countPrekeys,
  fetchBundle,
  publishKeyBundle,
  replenishPrekeys,
} from '../../../core/index.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { jsonBody, LARGE_BODY_LIMIT_BYTES, parseJsonBody } from '../json-body.js';
import { PublishKeysBody, ReplenishKeysBody } from '../schemas.js';
import { serializeBundle, serializePoolCounts } from '../serialize.js';

/** The key routes, to mount at `/api/keys`; all need a token. */
export function createKeyRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  const largeBody = jsonBody({ maxBytes: LARGE_BODY_LIMIT_BYTES });

  routes.post('/publish', largeBody, async (c) => {
    const body = await parseJsonBody(c, PublishKeysBody);
    const counts = await publishKeyBundle(deps, {
      userId: c.var.user.id,
      identityKey: body.identityKey,
      registrationId: body.registrationId,
      signedPreKey: body.signedPreKey,
      oneTimePreKeys: body.oneTimePreKeys,
      kyberPreKey: body.kyberPreKey ?? null,
      kyberOneTimePreKeys: body.kyberOneTimePreKeys ?? [],
    });
    return c.json(serializePoolCounts(counts), 200);
  });

  routes.get('/onetime/count', async (c) => {
    const counts = await countPrekeys(deps, { userId: c.var.user.id });
    return c.json(serializePoolCounts(counts), 200);
  });

  routes.post('/onetime/replenish', largeBody, async (c) => {
    const body = await parseJsonBody(c, ReplenishKeysBody);
    const counts = await replenishPrekeys(deps, {
      userId: c.var.user.id,
      oneTimePreKeys: body.oneTimePreKeys ?? [],
      kyberOneTimePreKeys: body.kyberOneTimePreKeys ?? [],
    });
    return c.json(serializePoolCounts(counts), 200);
  });

  routes.get('/:userId/bundle', async (c) => {
    const bundle = await fetchBundle(deps, {
      requesterId: c.var.user.id,
      ownerId: c.req.param('userId'),
    });
    return c.json(serializeBundle(bundle), 200);
  });

  return routes;
}
