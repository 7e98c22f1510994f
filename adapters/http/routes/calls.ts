/** @module `/api/calls`: call history and ICE servers (API.md §6). */
import { Hono } from 'hono';
import { listCalls, type UserId } from '../../../core/index.js';
import { CallListResponse, IceServersResponse } from '../../wire/schemas.js';
import { type IceServerEntry, serializeCall, serializeIceServers } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { CallsQuery } from '../schemas.js';

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
  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/',
      doc: {
        operationId: 'listCalls',
        summary: "The caller's call history",
        description:
          'Newest first; only calls the caller took part in, from their first ring. Page with ' +
          '`before` (the last `_id` of the previous page): it reads a range, fast at any depth. `offset` ' +
          'skips within the calls older than `before` (all calls without it); a `before` that is not a ' +
          'callId of your history is a `400`.',
        responses: { 200: { description: 'A page of calls.', schema: CallListResponse } },
      },
      query: CallsQuery,
      handler: async (c) => {
        const { limit, offset, before } = c.req.valid('query');
        const calls = await listCalls(deps, {
          userId: c.get('user').id,
          limit,
          offset,
          ...(before === undefined ? {} : { before }),
        });
        return c.json(calls.map(serializeCall), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ice-servers',
      doc: {
        operationId: 'getIceServers',
        summary: 'STUN and TURN servers for RTCPeerConnection',
        description:
          'TURN credentials follow the TURN REST scheme (coturn `use-auth-secret`) and expire after `ttl` ' +
          'seconds: fetch a fresh list for each call.',
        responses: { 200: { description: 'The ICE servers.', schema: IceServersResponse } },
      },
      handler: async (c) => {
        const list = await iceServers(c.get('user').id, deps.clock.now());
        return c.json(serializeIceServers(list), 200);
      },
    }),
  ]);
}
