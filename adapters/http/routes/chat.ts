/** @module `/api/chat`: send, conversations, messages (API.md §4). */
import { Hono } from 'hono';
import { listConversations, listMessages, sendMessage } from '../../../core/index.js';
import { serializeConversation, serializeMessage } from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { LARGE_BODY_LIMIT_BYTES, validJsonBody } from '../json-body.js';
import { requestHeader } from '../node-bindings.js';
import { describe } from '../openapi.js';
import { rateLimit } from '../rate-limit.js';
import { ROUTE_DOCS } from '../route-docs.js';
import { ConversationsQuery, MessagesQuery, SendMessageBody } from '../schemas.js';
import { validQuery } from '../validate.js';

/** The chat routes, to mount at `/api/chat`; all need a token. */
export function createChatRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));

  const sendLimit = rateLimit<AuthEnv>('sendPerUser', (c) => c.get('user').id);
  routes.post(
    '/send',
    describe(ROUTE_DOCS.sendMessage),
    sendLimit,
    validJsonBody(SendMessageBody, { maxBytes: LARGE_BODY_LIMIT_BYTES }),
    async (c) => {
      const body = c.req.valid('json');
      const connectionId = requestHeader(c, 'x-connection-id')?.trim();
      const { message, created } = await sendMessage(deps, {
        senderId: c.get('user').id,
        receiverId: body.receiverId,
        content: body.content,
        ...(body.messageType == null ? {} : { messageType: body.messageType }),
        ...(body.clientMessageId == null ? {} : { clientMessageId: body.clientMessageId }),
        ...(connectionId ? { senderConnectionId: connectionId } : {}),
      });
      // 201 for a new message; 200 when a retry matched the first one stored.
      return c.json(serializeMessage(message), created ? 201 : 200);
    },
  );

  routes.get(
    '/conversations',
    describe(ROUTE_DOCS.listConversations),
    validQuery(ConversationsQuery),
    async (c) => {
      const { limit, offset } = c.req.valid('query');
      const views = await listConversations(deps, { userId: c.get('user').id, limit, offset });
      return c.json(views.map(serializeConversation), 200);
    },
  );

  routes.get(
    '/messages/:userId',
    describe(ROUTE_DOCS.listMessages),
    validQuery(MessagesQuery),
    async (c) => {
      const { limit, offset, before } = c.req.valid('query');
      const messages = await listMessages(deps, {
        userId: c.get('user').id,
        peerId: c.req.param('userId'),
        limit,
        offset,
        ...(before === undefined ? {} : { before }),
      });
      return c.json(messages.map(serializeMessage), 200);
    },
  );

  return routes;
}
