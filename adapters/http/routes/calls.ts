/** @module `/api/calls`: call history and ICE servers (API.md §6). */
import { Hono } from 'hono';
import { listCalls, type UserId } from '../../../core/index.js';
import { type IceServerEntry, serializeCall, serializeIceServers } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { describe } from '../openapi.js';
import { ROUTE_DOCS } from '../route-docs.js';
import { CallsQuery } from '../schemas.js';
import { validQuery } from '../validate.js';

/** What `GET /api/calls/ice-servers` answers; `ttl` in seconds. */
export interface IceServerList {
  readonly iceServers: readonly IceServerEntry[];
  readonly ttl: number;
}

/**
 * The ICE servers of `userId` at `now` (TURN credentials are per user and
 * expire); built by the composition from configuration (see
 * adapters/crypto/turn-credentials.ts), so no secret reaches the routes.
 */
export type IceServerSource = (userId: UserId, now: Date) => IceServerList | Promise<IceServerList>;

/** `ttl` answered when no ICE servers are configured (the TURN_TTL default). */
export const DEFAULT_ICE_TTL_SEC = 86_400;

const noIceServers: IceServerSource = () => ({ iceServers: [], ttl: DEFAULT_ICE_TTL_SEC });

export interface CallRoutesOptions {
  /** Default: no STUN and no TURN servers. */
  readonly iceServers?: IceServerSource;
}

/** The call routes, to mount at `/api/calls`; all need a token. */
export function createCallRoutes(deps: HttpDeps, options: CallRoutesOptions = {}): Hono<AuthEnv> {
  const iceServers = options.iceServers ?? noIceServers;
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));

  routes.get('/', describe(ROUTE_DOCS.listCalls), validQuery(CallsQuery), async (c) => {
    const { limit, offset } = c.req.valid('query');
    const calls = await listCalls(deps, { userId: c.get('user').id, limit, offset });
    return c.json(calls.map(serializeCall), 200);
  });

  routes.get('/ice-servers', describe(ROUTE_DOCS.getIceServers), async (c) => {
    const list = await iceServers(c.get('user').id, deps.clock.now());
    return c.json(serializeIceServers(list), 200);
  });

  return routes;
}
