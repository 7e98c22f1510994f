/** @module `/api/chat`: send, conversations, messages (API.md §4). */
import { Hono } from 'hono';
import { listConversations, listMessages, markRead, sendMessage } from '../../../core/index.js';
import {
  ConversationListResponse,
  MessageListResponse,
  MessageResponse,
  ReadResponse,
} from '../../wire/schemas.js';
import {
  serializeConversation,
  serializeMessage,
  serializeMessageView,
  serializeReadState,
} from '../../wire/serialize.js';
import { requireAuth } from '../auth.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AuthEnv, HttpDeps } from '../env.js';
import { LARGE_BODY_LIMIT_BYTES } from '../json-body.js';
import { requestHeader } from '../node-bindings.js';
import { rateLimit } from '../rate-limit.js';
import {
  ConversationsQuery,
  MessagesQuery,
  ReadBody,
  SendMessageBody,
  USER_ID_PARAM,
} from '../schemas.js';

/** The chat routes, to mount at `/api/chat`; all need a token. */
export function createChatRoutes(deps: HttpDeps): Hono<AuthEnv> {
  const routes = new Hono<AuthEnv>();
  routes.use(requireAuth({ deps }));
  return mountRoutes(routes, [
    defineRoute({
      method: 'post',
      path: '/send',
      doc: {
        operationId: 'sendMessage',
        summary: 'Send a message',
        description:
          'Pushes `new-message` to every connection of the receiver and of the sender, except the ' +
          'connection named by `x-connection-id`. A retry with a `clientMessageId` already used by the ' +
          'sender answers `200` with the message first stored under it, and stores and pushes nothing. ' +
          'On a server whose database cannot hold U+0000 (FerretDB on PostgreSQL), a `content` or ' +
          '`clientMessageId` containing it answers `400 VALIDATION_FAILED` at that field and stores nothing.',
        responses: {
          201: { description: 'Stored (durably) and pushed.', schema: MessageResponse },
          200: {
            description: 'A retry: the message first stored under this clientMessageId.',
            schema: MessageResponse,
          },
        },
        errors: ['USER_NOT_FOUND'],
        headers: {
          'x-connection-id':
            "The `connectionId` of the sending device's socket (from its `ready` frame): that connection gets no push.",
        },
      },
      limits: [rateLimit<AuthEnv>('sendPerUser', (c) => c.get('user').id)],
      body: SendMessageBody,
      maxBodyBytes: LARGE_BODY_LIMIT_BYTES,
      handler: async (c) => {
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
    }),
    defineRoute({
      method: 'post',
      path: '/read',
      doc: {
        operationId: 'markRead',
        summary: 'Mark a conversation read up to a message',
        description:
          "Every message of the conversation with `peerId` up to `upTo` is read. The caller's other " +
          'devices get `conversation-read` (the connection named by `x-connection-id` excepted); the ' +
          'peer gets `messages-read` unless either of the two turned `readReceipts` off or either ' +
          'blocks the other. A mark at or before the current one changes nothing and answers the ' +
          'current one. `404 USER_NOT_FOUND`: no conversation with `peerId`; `400` at `upTo`: not a ' +
          'message of that conversation.',
        responses: {
          200: { description: 'Where the caller has read up to now.', schema: ReadResponse },
        },
        errors: ['USER_NOT_FOUND'],
        headers: {
          'x-connection-id':
            "The `connectionId` of the reading device's socket: that connection gets no `conversation-read`.",
        },
      },
      body: ReadBody,
      handler: async (c) => {
        const body = c.req.valid('json');
        const connectionId = requestHeader(c, 'x-connection-id')?.trim();
        const state = await markRead(deps, {
          userId: c.get('user').id,
          peerId: body.peerId,
          upTo: body.upTo,
          ...(connectionId ? { connectionId } : {}),
        });
        return c.json(serializeReadState(state), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/conversations',
      doc: {
        operationId: 'listConversations',
        summary: "The caller's conversations",
        description:
          'Newest `lastMessage` first. A conversation whose peer no longer exists is left out.',
        responses: {
          200: { description: 'A page of conversations.', schema: ConversationListResponse },
        },
      },
      query: ConversationsQuery,
      handler: async (c) => {
        const { limit, offset } = c.req.valid('query');
        const views = await listConversations(deps, { userId: c.get('user').id, limit, offset });
        return c.json(views.map(serializeConversation), 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/messages/:userId',
      doc: {
        operationId: 'listMessages',
        summary: 'Messages with a user, newest first',
        description:
          '`before` (a message id of this conversation) keeps only older messages, then `offset` skips ' +
          'within those; a `before` that is malformed, unknown or from another conversation is a `400`. ' +
          'An unknown user is checked first (`404`).',
        responses: { 200: { description: 'A page of messages.', schema: MessageListResponse } },
        errors: ['USER_NOT_FOUND'],
        pathParams: { userId: USER_ID_PARAM },
      },
      query: MessagesQuery,
      handler: async (c) => {
        const { limit, offset, before } = c.req.valid('query');
        const messages = await listMessages(deps, {
          userId: c.get('user').id,
          peerId: c.req.param('userId'),
          limit,
          offset,
          ...(before === undefined ? {} : { before }),
        });
        return c.json(messages.map(serializeMessageView), 200);
      },
    }),
  ]);
}
