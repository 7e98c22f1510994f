/**
 * Chat pushes over real sockets (API.md §4, §5, §7): `new-message` to every
 * connection of the receiver and the sender's other connections (never the
 * one named in `x-connection-id`), and `prekeys-low` after a fetch.
 */
import { describe, expect, it } from 'vitest';
import { createLibsignalBundle } from '../support/libsignal-keys.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser, useWsTestServer } from '../support/ws-client.js';

const { server, connect } = useWsTestServer();

describe('new-message', () => {
  it('reaches the receiver and the sender’s other connections, not the sending one', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const [a1, a2, b1, b2] = [
      await connect(alice),
      await connect(alice),
      await connect(bob),
      await connect(bob),
    ];

    const sent = await callJson(server.url, 'POST', '/api/chat/send', {
      token: alice.token,
      headers: { 'x-connection-id': a1.connectionId },
      body: { receiverId: bob.userId, content: 'hello', clientMessageId: 'm-1' },
    });
    expect(sent.status).toBe(201);
    for (const socket of [b1, b2, a2]) {
      expect((await socket.waitFor(frameOf('new-message'))).payload).toEqual(sent.body);
    }
    await a1.expectNoFrame(frameOf('new-message'), 150);
    expect(sent.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // A retry creates and pushes nothing new.
    const retried = await callJson(server.url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'hello?', clientMessageId: 'm-1' },
    });
    expect(retried.status).toBe(200);

    // Without the header every connection of the sender hears it; naming another
    // user's connection silences nobody.
    const reply = await callJson(server.url, 'POST', '/api/chat/send', {
      token: bob.token,
      headers: { 'x-connection-id': a1.connectionId },
      body: { receiverId: alice.userId, content: 'hi' },
    });
    for (const socket of [a1, a2, b1, b2]) {
      expect((await socket.waitFor(frameOf('new-message'))).payload).toEqual(reply.body);
    }
    for (const socket of [a1, a2, b1, b2]) await socket.expectNoFrame(frameOf('new-message'), 50);
  });

  it('pushes a note to self to the other connections only', async () => {
    const carol = await registerUser(server.url, 'Carol');
    const [c1, c2] = [await connect(carol), await connect(carol)];
    const sent = await callJson(server.url, 'POST', '/api/chat/send', {
      token: carol.token,
      headers: { 'x-connection-id': c1.connectionId },
      body: { receiverId: carol.userId, content: 'note' },
    });
    expect(sent.status).toBe(201);
    expect((await c2.waitFor(frameOf('new-message'))).payload).toEqual(sent.body);
    await c1.expectNoFrame(frameOf('new-message'), 150);
  });
});

describe('prekeys-low', () => {
  it('tells every connection of the owner once a fetch leaves fewer than 10 keys', async () => {
    const owner = await registerUser(server.url, 'Owner');
    const fetcher = await registerUser(server.url, 'Fetcher');
    const [o1, o2] = [await connect(owner), await connect(owner)];
    const { body } = createLibsignalBundle({ oneTimeCount: 11, kyberOneTimeCount: 12 });
    const published = await callJson(server.url, 'POST', '/api/keys/publish', {
      token: owner.token,
      body,
    });
    expect(published.status).toBe(200);

    const fetch = () =>
      callJson(server.url, 'GET', `/api/keys/${owner.userId}/bundle`, { token: fetcher.token });
    expect((await fetch()).status).toBe(200); // 10 and 11 left: not low yet
    expect((await fetch()).status).toBe(200); // 9 and 10 left
    for (const socket of [o1, o2]) {
      expect((await socket.waitFor(frameOf('prekeys-low'))).payload).toEqual({
        count: 9,
        kyberCount: 10,
      });
      // Only the second fetch was low.
      await socket.expectNoFrame(frameOf('prekeys-low'), 50);
    }
  });
});
