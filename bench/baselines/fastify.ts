/**
 * @module Peer: the same authenticated route written the way a Fastify 5 user
 * would write it — `@fastify/jwt` verifying the product's own HS256 token on
 * every request, the user and its session looked up in memory (as the
 * product's memory store does), a response schema for serialization, and
 * Fastify's logger on at `info` as it comes (two lines per request, incoming
 * and completed, written at once, to stdout, which the
 * benchmark sends to /dev/null as it does the product's).
 */
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { BODY, PORT } from './json-body.js';

const secret = process.env.BENCH_JWT_SECRET ?? '';
const userId = process.env.BENCH_USER_ID ?? '';
const sessionId = process.env.BENCH_SESSION_ID ?? '';
const users = new Map<string, unknown>([[userId, BODY]]);
const sessions = new Map<string, string>([[sessionId, userId]]);

const app = Fastify({ logger: { level: 'info' } });
await app.register(fastifyJwt, { secret, verify: { algorithms: ['HS256'] } });

app.get('/healthz', async () => ({ status: 'ok' }));
app.get<{ Params: { userId: string } }>(
  '/api/users/:userId/profile',
  {
    onRequest: async (request) => {
      await request.jwtVerify();
    },
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            _id: { type: 'string' },
            username: { type: ['string', 'null'] },
            displayName: { type: 'string' },
            phoneNumber: { type: 'string' },
            createdAt: { type: 'string' },
            lastSeen: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
  async (request, reply) => {
    const claims = request.user as { sub: string; sid: string };
    if (sessions.get(claims.sid) !== claims.sub) return reply.code(401).send();
    const user = users.get(request.params.userId);
    if (user === undefined) return reply.code(404).send();
    return user;
  },
);
await app.listen({ port: PORT, host: '127.0.0.1' });
