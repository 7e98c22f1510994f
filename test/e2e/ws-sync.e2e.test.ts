/**
 * Resume over real sockets (docs/API.md "Sync"): logged frames carry `seq`;
 * a socket opened with `?since=` (or sent `sync`) gets exactly the events it
 * missed, in order, then `sync-done`, then live ones, also when live events
 * arrive during the replay; `GET /api/sync` serves the same events.
 */
import { describe, expect, it } from 'vitest';
import { callJson } from '../support/start-test-server.js';
import {
  connectWs,
  type Frame,
  frameOf,
  registerUser,
  type TestUser,
  useWsTestServer,
  type WsClient,
} from '../support/ws-client.js';

const { server, connect } = useWsTestServer();
const opened: WsClient[] = [];

function send(from: TestUser, to: TestUser, content: string, headers: Record<string, string> = {}) {
  return callJson(server.url, 'POST', '/api/chat/send', {
    token: from.token,
    headers,
    body: { receiverId: to.userId, content },
  });
}

async function resume(user: TestUser, since: number): Promise<WsClient> {
  const socket = await connectWs(server.url, user.token, { path: `/?since=${since}` });
  opened.push(socket);
  return socket;
}

/** The logged frames received until `sync-done`, and that frame. */
async function replayed(socket: WsClient): Promise<{ events: Frame[]; done: Frame }> {
  const done = await socket.waitFor(frameOf('sync-done'), 10_000);
  const end = socket.frames.indexOf(done);
  return { events: socket.frames.slice(0, end).filter((f) => f.seq !== undefined), done };
}

const contents = (frames: readonly Frame[]) => frames.map((f) => f.payload.content);

describe('the event log on the socket', () => {
  it('numbers pushes per user and tells the position in ready', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const b1 = await connect(bob);
    expect(b1.frames[0]).toMatchObject({ type: 'ready', payload: { seq: 0 } });
    await send(alice, bob, 'one');
    await send(bob, alice, 'two');
    expect(await b1.waitFor(frameOf('new-message', { content: 'one' }))).toMatchObject({ seq: 1 });
    expect(await b1.waitFor(frameOf('new-message', { content: 'two' }))).toMatchObject({ seq: 2 });
    const b2 = await connect(bob);
    expect(b2.frames[0]).toMatchObject({ type: 'ready', payload: { seq: 2 } });
    const a1 = await connect(alice);
    expect(a1.frames[0]).toMatchObject({ type: 'ready', payload: { seq: 2 } });
  });

  it('replays exactly what a device missed, in order, then sync-done, then live events', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const away = await connect(bob);
    await send(alice, bob, 'before');
    const last = (await away.waitFor(frameOf('new-message'))).seq!;
    await away.close();

    for (let n = 1; n <= 50; n++) expect((await send(alice, bob, `m${n}`)).status).toBe(201);
    const back = await resume(bob, last);
    expect(back.frames[0]).toMatchObject({ type: 'ready', payload: { seq: last } });
    const { events, done } = await replayed(back);
    expect(contents(events)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 1}`));
    expect(events.map((f) => f.seq)).toEqual(Array.from({ length: 50 }, (_, i) => last + i + 1));
    expect(done.payload).toEqual({ seq: last + 50 });

    await send(alice, bob, 'live');
    expect(await back.waitFor(frameOf('new-message', { content: 'live' }))).toMatchObject({
      seq: last + 51,
    });
    await back.expectNoFrame((f) => f.type === 'new-message' && f.seq! > last + 51, 100);
  });

  it('loses and repeats nothing when live events arrive during the replay', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    for (let n = 1; n <= 300; n++) await send(alice, bob, `old ${n}`);
    const sending = (async () => {
      for (let n = 1; n <= 30; n++) await send(alice, bob, `new ${n}`);
    })();
    const back = await resume(bob, 0);
    await sending;
    await back.waitFor(frameOf('new-message', { content: 'new 30' }), 10_000);
    const logged = back.frames.filter((f) => f.seq !== undefined);
    expect(logged.map((f) => f.seq)).toEqual(Array.from({ length: 330 }, (_, i) => i + 1));
    expect(back.frames.filter((f) => f.type === 'sync-done')).toHaveLength(1);
    await back.expectNoFrame((f) => f.type === 'new-message' && f.seq! > 330, 100);
  });

  it('replays on a sync frame too, and the sending device does not get its own message live', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const phone = await connect(alice);
    const laptop = await connect(alice);
    await send(alice, bob, 'from phone', { 'x-connection-id': phone.connectionId });
    await laptop.waitFor(frameOf('new-message', { content: 'from phone' }));
    await send(bob, alice, 'reply');
    // The phone skips its own message but takes the next one without waiting for it.
    const reply = await phone.waitFor(frameOf('new-message'));
    expect(reply).toMatchObject({ seq: 2, payload: { content: 'reply' } });
    phone.send('sync', { since: 0 });
    const again = await phone.waitFor(frameOf('new-message', { content: 'from phone' }));
    expect(again.seq).toBe(1);
    expect(await phone.waitFor(frameOf('new-message', { content: 'reply' }))).toMatchObject({
      seq: 2,
    });
    expect((await phone.waitFor(frameOf('sync-done'))).payload).toEqual({ seq: 2 });
    phone.send('sync', { since: -1 });
    expect((await phone.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'VALIDATION_FAILED',
      type: 'sync',
    });
  });

  it('answers sync-reset to a since beyond the log', async () => {
    const bob = await registerUser(server.url, 'Bob');
    const back = await resume(bob, 99);
    expect((await back.waitFor(frameOf('sync-reset'))).payload).toEqual({ seq: 0 });
    expect((await back.waitFor(frameOf('sync-done'))).payload).toEqual({ seq: 0 });
  });

  it('refuses a since that is no whole number before the upgrade', async () => {
    const bob = await registerUser(server.url, 'Bob');
    await expect(connectWs(server.url, bob.token, { path: '/?since=-3' })).rejects.toThrow(/400/);
  });
});

describe('read receipts and unread counts', () => {
  it('a read on device 1 clears the badge on device 2 and shows the sender the ticks', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const [phone, laptop, bobSocket] = [
      await connect(alice),
      await connect(alice),
      await connect(bob),
    ];
    const m1 = (await send(bob, alice, 'one')).body;
    const m2 = (await send(bob, alice, 'two')).body;
    const list = () =>
      callJson(server.url, 'GET', '/api/chat/conversations', { token: alice.token });
    expect((await list()).body[0]).toMatchObject({ unreadCount: 2, lastRead: null });

    phone.send('read', { peerId: bob.userId, upTo: m2._id });
    const cleared = await laptop.waitFor(frameOf('conversation-read'));
    expect(cleared.payload).toMatchObject({ peerId: bob.userId, upTo: m2._id });
    expect(cleared.seq).toBe(3);
    const ticks = await bobSocket.waitFor(frameOf('messages-read'));
    expect(ticks.payload).toEqual({
      by: alice.userId,
      upTo: m2._id,
      readAt: cleared.payload.readAt,
    });
    await phone.expectNoFrame(frameOf('conversation-read'), 100);
    expect((await list()).body[0]).toMatchObject({
      unreadCount: 0,
      lastRead: { messageId: m2._id, readAt: cleared.payload.readAt },
    });

    // An older mark over HTTP answers the current one and tells nobody.
    const older = await callJson(server.url, 'POST', '/api/chat/read', {
      token: alice.token,
      body: { peerId: bob.userId, upTo: m1._id },
    });
    expect(older.status).toBe(200);
    expect(older.body).toEqual({
      peerId: bob.userId,
      upTo: m2._id,
      readAt: cleared.payload.readAt,
    });
    await laptop.expectNoFrame(frameOf('conversation-read'), 100);

    // With read receipts off, the sender sees no ticks; the reader's devices still sync.
    await callJson(server.url, 'PATCH', '/api/users/me', {
      token: alice.token,
      body: { readReceipts: false },
    });
    const m3 = (await send(bob, alice, 'three')).body;
    const quiet = await callJson(server.url, 'POST', '/api/chat/read', {
      token: alice.token,
      body: { peerId: bob.userId, upTo: m3._id },
    });
    expect(quiet.status).toBe(200);
    await laptop.waitFor(frameOf('conversation-read', { upTo: m3._id }));
    await bobSocket.expectNoFrame(frameOf('messages-read'), 150);

    const bad = await callJson(server.url, 'POST', '/api/chat/read', {
      token: alice.token,
      body: { peerId: bob.userId, upTo: '0123456789abcdef01234567' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['upTo']);
  });
});

describe('delivered receipts', () => {
  it('tells every device of the sender once when the receiver acks; the history shows it', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const [phone, laptop, bobPhone, bobLaptop] = [
      await connect(alice),
      await connect(alice),
      await connect(bob),
      await connect(bob),
    ];
    const m1 = (await send(alice, bob, 'one')).body;
    const m2 = (await send(alice, bob, 'two')).body;
    const seq = (await bobPhone.waitFor(frameOf('new-message', { content: 'two' }))).seq!;

    bobPhone.send('ack', { seq });
    const onPhone = [
      await phone.waitFor(frameOf('message-delivered', { messageId: m1._id })),
      await phone.waitFor(frameOf('message-delivered', { messageId: m2._id })),
    ];
    expect(onPhone[0]!.payload).toMatchObject({ to: bob.userId });
    expect(onPhone[0]!.seq).toBeGreaterThan(0);
    for (const frame of onPhone) {
      expect(
        (await laptop.waitFor(frameOf('message-delivered', { messageId: frame.payload.messageId })))
          .payload,
      ).toEqual(frame.payload);
    }
    // The other device acks too, and fetching over HTTP acks: nothing new for the sender.
    bobLaptop.send('ack', { seq });
    expect((await callJson(server.url, 'GET', '/api/sync', { token: bob.token })).status).toBe(200);
    await phone.expectNoFrame(frameOf('message-delivered'), 150);
    await laptop.expectNoFrame(frameOf('message-delivered'), 50);

    const history = async () =>
      (
        await callJson(server.url, 'GET', `/api/chat/messages/${bob.userId}`, {
          token: alice.token,
        })
      ).body as { _id: string; deliveredAt: string | null; readAt: string | null }[];
    expect(await history()).toEqual([
      { ...m2, deliveredAt: onPhone[1]!.payload.deliveredAt, readAt: null },
      { ...m1, deliveredAt: onPhone[0]!.payload.deliveredAt, readAt: null },
    ]);

    bobPhone.send('read', { peerId: alice.userId, upTo: m1._id });
    const read = await phone.waitFor(frameOf('messages-read'));
    expect((await history()).map((m) => m.readAt)).toEqual([null, read.payload.readAt]);

    // Fetched over HTTP by a device without a socket: delivered all the same.
    const m3 = (await send(alice, bob, 'three')).body;
    await callJson(server.url, 'GET', `/api/sync?since=${seq}`, { token: bob.token });
    expect(
      (await phone.waitFor(frameOf('message-delivered', { messageId: m3._id }))).payload,
    ).toMatchObject({ to: bob.userId });

    bobPhone.send('ack', { seq: -1 });
    expect((await bobPhone.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'VALIDATION_FAILED',
      type: 'ack',
    });
  });
});

describe('GET /api/sync', () => {
  it('serves the logged frames after since, page by page', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const sent = [];
    for (let n = 1; n <= 3; n++) sent.push((await send(alice, bob, `m${n}`)).body);
    const first = await callJson(server.url, 'GET', '/api/sync?since=0&limit=2', {
      token: bob.token,
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      events: [
        { type: 'new-message', seq: 1, payload: sent[0] },
        { type: 'new-message', seq: 2, payload: sent[1] },
      ],
      seq: 2,
      more: true,
      reset: false,
    });
    const rest = await callJson(server.url, 'GET', '/api/sync?since=2', { token: bob.token });
    expect(rest.body).toEqual({
      events: [{ type: 'new-message', seq: 3, payload: sent[2] }],
      seq: 3,
      more: false,
      reset: false,
    });
    const beyond = await callJson(server.url, 'GET', '/api/sync?since=9', { token: bob.token });
    expect(beyond.body).toEqual({ events: [], seq: 3, more: false, reset: true });
    const bad = await callJson(server.url, 'GET', '/api/sync?since=x', { token: bob.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['since']);
    expect((await callJson(server.url, 'GET', '/api/sync')).status).toBe(401);
  });
});
