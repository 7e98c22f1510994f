/**
 * Read and delivered receipts across two server processes sharing MongoDB and
 * Redis (docs/API.md "Sync", "Read receipts"): a read on the reader's device
 * 1 on A gives the sender on B `messages-read` with its `seq`, and the
 * reader's device 2 on B `conversation-read` and an unread count of 0; with
 * read receipts off the sender gets nothing, neither pushed nor logged. And
 * the resume case with receipts in it: a device away while 50
 * messages, a delivered receipt, a read receipt and a read on the user's
 * other device happen resumes on the other instance with exactly those, in
 * order, then `sync-done`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import {
  connectWs,
  type Frame,
  frameOf,
  registerUser,
  type TestUser,
  type WsClient,
} from '../support/ws-client.js';

const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;
const opened: WsClient[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});
afterAll(async () => {
  await Promise.all(opened.map((socket) => socket.close().catch(() => {})));
});

async function send(on: ServerProcess, from: TestUser, to: TestUser, content: string) {
  const sent = await callJson(on.url, 'POST', '/api/chat/send', {
    token: from.token,
    body: { receiverId: to.userId, content },
  });
  expect(sent.status).toBe(201);
  return sent.body as { _id: string; content: string };
}

async function read(on: ServerProcess, reader: TestUser, peer: TestUser, upTo: string) {
  const marked = await callJson(on.url, 'POST', '/api/chat/read', {
    token: reader.token,
    body: { peerId: peer.userId, upTo },
  });
  expect(marked.status).toBe(200);
  return marked.body as { readAt: string };
}

async function readReceipts(on: ServerProcess, who: TestUser, readReceipts: boolean) {
  const patched = await callJson(on.url, 'PATCH', '/api/users/me', {
    token: who.token,
    body: { readReceipts },
  });
  expect(patched.status).toBe(200);
}

/** `who`'s logged events after `since`, read over HTTP from `on`. */
async function logAfter(on: ServerProcess, who: TestUser, since: number): Promise<Frame[]> {
  const answer = await callJson(on.url, 'GET', `/api/sync?since=${since}`, { token: who.token });
  expect(answer.status).toBe(200);
  return answer.body.events;
}

async function conversationWith(on: ServerProcess, who: TestUser, peer: TestUser) {
  const list = await callJson(on.url, 'GET', '/api/chat/conversations', { token: who.token });
  expect(list.status).toBe(200);
  interface Listed {
    readonly peer: { readonly _id: string };
    readonly unreadCount: number;
    readonly lastRead: { readonly messageId: string; readonly readAt: string } | null;
  }
  return (list.body as Listed[]).find((c) => c.peer._id === peer.userId);
}

describe('read receipts on two instances', () => {
  it('a read on device 1 on A ticks the sender on B and clears the badge of device 2 on B', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceDevice1 = await cluster.connect(alice, a);
    const aliceDevice2 = await cluster.connect(alice, b);
    const bobOnB = await cluster.connect(bob, b);
    await send(b, bob, alice, 'one');
    const two = await send(a, bob, alice, 'two');
    await aliceDevice2.waitFor(frameOf('new-message', { content: 'two' }));
    expect(await conversationWith(b, alice, bob)).toMatchObject({
      unreadCount: 2,
      lastRead: null,
    });

    aliceDevice1.send('read', { peerId: bob.userId, upTo: two._id });
    const cleared = await aliceDevice2.waitFor(frameOf('conversation-read'));
    expect(cleared).toEqual({
      type: 'conversation-read',
      seq: 3,
      payload: { peerId: bob.userId, upTo: two._id, readAt: cleared.payload.readAt },
    });
    const ticks = await bobOnB.waitFor(frameOf('messages-read'));
    expect(ticks.payload).toEqual({
      by: alice.userId,
      upTo: two._id,
      readAt: cleared.payload.readAt,
    });
    // Bob's log: his two sent messages, then the receipt.
    expect(ticks.seq).toBe(3);
    await aliceDevice1.expectNoFrame(frameOf('conversation-read'), 100);
    for (const on of [a, b]) {
      expect(await conversationWith(on, alice, bob)).toEqual(
        expect.objectContaining({
          unreadCount: 0,
          lastRead: { messageId: two._id, readAt: cleared.payload.readAt },
        }),
      );
    }
    const history = await callJson(b.url, 'GET', `/api/chat/messages/${alice.userId}`, {
      token: bob.token,
    });
    expect(history.body.map((m: { readAt: string | null }) => m.readAt)).toEqual([
      cleared.payload.readAt,
      cleared.payload.readAt,
    ]);
  });

  it('sends no receipt, pushed or logged, while either has read receipts off', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(b.url, 'Bob');
    const aliceDevice2 = await cluster.connect(alice, b);
    const bobOnB = await cluster.connect(bob, b);

    // The reader turned them off (on B), and reads on A.
    await readReceipts(b, alice, false);
    const one = await send(b, bob, alice, 'one');
    const bobHead = (await bobOnB.waitFor(frameOf('new-message', { content: 'one' }))).seq!;
    await read(a, alice, bob, one._id);
    await aliceDevice2.waitFor(frameOf('conversation-read', { upTo: one._id }));
    expect(await conversationWith(b, alice, bob)).toMatchObject({ unreadCount: 0 });

    // The sender turned them off (on A), the reader has them on again.
    await readReceipts(a, alice, true);
    await readReceipts(a, bob, false);
    const two = await send(a, bob, alice, 'two');
    await read(a, alice, bob, two._id);
    await aliceDevice2.waitFor(frameOf('conversation-read', { upTo: two._id }));

    // Both on: the receipt comes, after nothing but Bob's own message.
    await readReceipts(b, bob, true);
    const three = await send(a, bob, alice, 'three');
    await read(a, alice, bob, three._id);
    const ticks = await bobOnB.waitFor(frameOf('messages-read'));
    expect(ticks.payload).toMatchObject({ by: alice.userId, upTo: three._id });
    expect((await logAfter(a, bob, bobHead)).map((e) => [e.type, e.seq])).toEqual([
      ['new-message', bobHead + 1],
      ['new-message', bobHead + 2],
      ['messages-read', bobHead + 3],
    ]);
    expect(
      bobOnB.frames.filter((f) => f.type === 'messages-read').map((f) => f.payload.upTo),
    ).toEqual([three._id]);
  });
});

describe('resume on the other instance, receipts included', () => {
  it('replays the 50 messages and the receipts that happened while away, in order, then sync-done', async () => {
    const alice = await registerUser(a.url, 'Alice');
    const bob = await registerUser(a.url, 'Bob');
    const aliceOnB = await cluster.connect(alice, b);
    const bobLaptop = await cluster.connect(bob, a);
    const away = await connectWs(a.url, bob.token);
    opened.push(away);

    const hello = await send(a, bob, alice, 'hello');
    const last = (await away.waitFor(frameOf('new-message', { content: 'hello' }))).seq!;
    await away.close();

    // Alice's device acks Bob's message on B: Bob's log gets message-delivered.
    const helloSeq = (await aliceOnB.waitFor(frameOf('new-message', { content: 'hello' }))).seq!;
    aliceOnB.send('ack', { seq: helloSeq });
    const delivered = await bobLaptop.waitFor(frameOf('message-delivered'));
    const sent: { _id: string }[] = [];
    for (let n = 1; n <= 50; n++) {
      sent.push(await send(n % 2 === 0 ? a : b, alice, bob, `m ${n}`));
      // Alice reads Bob's message on B; Bob's laptop reads up to m 40 on A.
      if (n === 25) await read(b, alice, bob, hello._id);
      if (n === 40) await read(a, bob, alice, sent[39]!._id);
    }

    const back = await connectWs(b.url, bob.token, { path: `/?since=${last}` });
    opened.push(back);
    const done = await back.waitFor(frameOf('sync-done'), 10_000);
    const replay = back.frames
      .slice(0, back.frames.indexOf(done))
      .filter((f) => f.seq !== undefined);
    const messages = (from: number, to: number) =>
      sent.slice(from - 1, to).map((m) => ['new-message', m._id]);
    expect(
      replay.map((f) => [f.type, f.payload._id ?? f.payload.messageId ?? f.payload.upTo]),
    ).toEqual([
      ['message-delivered', hello._id],
      ...messages(1, 25),
      ['messages-read', hello._id],
      ...messages(26, 40),
      ['conversation-read', sent[39]!._id],
      ...messages(41, 50),
    ]);
    expect(replay.map((f) => f.seq)).toEqual(Array.from({ length: 53 }, (_, i) => last + 1 + i));
    expect(replay[0]!.payload).toEqual(delivered.payload);
    expect(replay[26]!.payload).toMatchObject({ by: alice.userId });
    expect(replay[42]!.payload).toMatchObject({ peerId: alice.userId });
    expect(done.payload).toEqual({ seq: last + 53 });
    // Nothing twice after sync-done.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(back.frames.slice(back.frames.indexOf(done)).filter((f) => f.seq !== undefined)).toEqual(
      [],
    );
  });
});
