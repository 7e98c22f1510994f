/**
 * The first-day walk of a client author against a real server on a real port:
 * register → login → profile → send → conversations → messages → publish →
 * bundle twice → count → replenish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { createLibsignalBundle, createLibsignalKyberKeys } from '../support/libsignal-keys.js';
import { callJson, startTestServer } from '../support/start-test-server.js';

let server: RunningServer;
const call = (method: string, path: string, options?: Parameters<typeof callJson>[3]) =>
  callJson(server.url, method, path, options);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('a client walking through the API on a started server', () => {
  it('registers, chats, publishes keys and fetches bundles', async () => {
    expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect(await call('GET', '/readyz')).toMatchObject({
      status: 200,
      body: { mongo: 'memory', redis: 'disabled' },
    });

    const registered = await call('POST', '/api/auth/register', {
      body: {
        phoneNumber: '+44 20 7946 0001',
        username: 'alice',
        displayName: 'Alice',
        password: 'correct horse battery',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      userId: expect.stringMatching(/^[0-9a-f]{24}$/),
      username: 'alice',
      phoneNumber: '+442079460001',
      token: expect.any(String),
    });
    const bobRegistered = await call('POST', '/api/auth/register', {
      body: { phoneNumber: '+442079460002', displayName: 'Bob', password: 'bob password' },
    });
    expect(bobRegistered.status).toBe(201);
    const bob = bobRegistered.body;

    const login = await call('POST', '/api/auth/login', {
      body: { phoneNumber: '+442079460001', password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    const alice = login.body;
    expect(alice.userId).toBe(registered.body.userId);

    const profile = await callJson(server.url, 'GET', `/api/users/${bob.userId}/profile`, {
      headers: { 'x-auth-token': alice.token },
    });
    expect(profile).toMatchObject({
      status: 200,
      body: {
        _id: bob.userId,
        username: null,
        displayName: 'Bob',
        // Bob has not written to Alice: his number is not hers to see (SECURITY.md).
        phoneNumber: null,
        lastSeen: null,
      },
    });
    expect(profile.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const sent = await call('POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'hello bob', clientMessageId: 'c-1' },
    });
    expect(sent.status).toBe(201);
    const retried = await call('POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'hello again?', clientMessageId: 'c-1' },
    });
    expect(retried).toMatchObject({ status: 200, body: sent.body });
    const reply = await call('POST', '/api/chat/send', {
      token: bob.token,
      body: { receiverId: alice.userId, content: 'hi alice', messageType: 'text' },
    });
    expect(reply.status).toBe(201);

    const conversations = await call('GET', '/api/chat/conversations', { token: alice.token });
    expect(conversations.status).toBe(200);
    expect(conversations.body).toEqual([
      {
        _id: sent.body.conversationId,
        participants: [alice.userId, bob.userId].sort(),
        peer: { _id: bob.userId, username: null, displayName: 'Bob', deleted: false },
        lastMessage: reply.body,
        updatedAt: reply.body.createdAt,
        // Bob's reply, which Alice has not read yet.
        unreadCount: 1,
        lastRead: null,
      },
    ]);

    const messages = await call('GET', `/api/chat/messages/${bob.userId}?limit=10`, {
      token: alice.token,
    });
    expect(messages.status).toBe(200);
    expect(messages.body.map((m: { content: string }) => m.content)).toEqual([
      'hi alice',
      'hello bob',
    ]);

    const { identity, body: bundle } = createLibsignalBundle({
      oneTimeCount: 3,
      kyberOneTimeCount: 1,
    });
    const published = await call('POST', '/api/keys/publish', { token: bob.token, body: bundle });
    expect(published).toMatchObject({ status: 200, body: { count: 3, kyberCount: 1 } });

    const first = await call('GET', `/api/keys/${bob.userId}/bundle`, { token: alice.token });
    const second = await call('GET', `/api/keys/${bob.userId}/bundle`, { token: alice.token });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toMatchObject({
      identityKey: bundle.identityKey,
      registrationId: bundle.registrationId,
      signedPreKey: bundle.signedPreKey,
      oneTimePreKey: bundle.oneTimePreKeys[0],
      kyberPreKey: bundle.kyberOneTimePreKeys?.[0],
    });
    expect(second.body.oneTimePreKey).toEqual(bundle.oneTimePreKeys[1]);
    expect(second.body.oneTimePreKey.keyId).not.toBe(first.body.oneTimePreKey.keyId);
    // The one-time Kyber pool is empty now: the last-resort key is handed out.
    expect(second.body.kyberPreKey).toEqual(bundle.kyberPreKey);

    const count = await call('GET', '/api/keys/onetime/count', { token: bob.token });
    expect(count).toMatchObject({ status: 200, body: { count: 1, kyberCount: 0 } });

    const replenished = await call('POST', '/api/keys/onetime/replenish', {
      token: bob.token,
      body: {
        oneTimePreKeys: [{ keyId: 100, publicKey: bundle.oneTimePreKeys[0]!.publicKey }],
        kyberOneTimePreKeys: createLibsignalKyberKeys(identity, [100, 101]),
      },
    });
    expect(replenished).toMatchObject({ status: 200, body: { count: 2, kyberCount: 2 } });
  });
});
