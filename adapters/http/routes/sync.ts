/** @module `/api/sync`: the caller's event log after a position (docs/API.md "Sync"). */
import { Hono } from 'hono';
import { acknowledgeEvents, readEvents } from '../../../core/index.js';
import { SyncResponse } from '../../wire/schemas.js';
import { serializeEvent } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { SyncQuery } from '../schemas.js';

/** The sync route, to mount at `/api/sync`; needs a token. */
export function createSyncRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/',
      doc: {
        operationId: 'sync',
        summary: 'Logged events after a position',
        description:
          'What a socket opened with `?since=` would replay, for a client woken without one (a push ' +
          'notification): the events after `since`, in `seq` order and without holes, each as its ' +
          'frame `{ type, seq, payload }`. Read again with `since=seq` while `more`. `reset`: the ' +
          'events after `since` are no longer kept (older than EVENT_LOG_RETENTION_DAYS), or `since` ' +
          'is beyond the log; refetch the conversations and go on from `seq`.',
        responses: { 200: { description: 'A page of events.', schema: SyncResponse } },
      },
      query: SyncQuery,
      handler: async (c) => {
        const { since, limit } = c.req.valid('query');
        const userId = c.get('user').id;
        const page = await readEvents(deps, { userId, since, limit });
        // Fetching events delivers them: their senders get `message-delivered`.
        await acknowledgeEvents(deps, userId, page.events);
        return c.json(
          {
            events: page.events.map(serializeEvent),
            seq: page.seq,
            more: page.more,
            reset: page.reset,
          },
          200,
        );
      },
    }),
  ]);
}
