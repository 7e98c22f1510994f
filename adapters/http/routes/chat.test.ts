import { beforeAll, describe, expect, it } from 'vitest';
import type { UserId } from '../../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestApp,
  type TestHttpApp,
  UNKNOWN_ID,
} from '../../../test/support/http.js';
import type { MemoryNotifier } from '../../wire/local-notifier.js';

let app: TestHttpApp;
let clock: TestApp['clock'];
let notifier: MemoryNotifier;
let alice: RegisteredUser;
let bob: RegisteredUser;
let carol: RegisteredUser;
let dave: RegisteredUser;

beforeAll(async () => {
  ({ app, clock, notifier } = await createTestApp());
  alice = await registerUser(app, { username: 'alice', displayName: 'Alice' });
  bob = await registerUser(app, { username: 'bob', displayName: 'Bob' });
  carol = await registerUser(app, { username: null, displayName: 'Carol' });
  dave = await registerUser(app, { username: 'dave', displayName: 'Dave' });
});

/** Sends one second after the previous send, so createdAt tells messages apart. */
function send(
  from: RegisteredUser,
  json: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  clock.advance(1000);
  return call(app, 'POST', '/api/chat/send', { token: from.token, json, headers });
}

/** Records the frames each of a user's connections receives. */
function listen(user: RegisteredUser, connectionId: string) {
  const received: unknown[] = [];
  // A push that only passes an excepted connection by (`passedBy`) is not one it received.
  const stop = notifier.subscribe(user.userId as UserId, connectionId, (push, passedBy) => {
    if (!passedBy) received.push(JSON.parse(push.text));
  });
  return { received, stop };
}

const fieldPaths = (res: { body: { error: { details: { path: string }[] } } }) =>
  res.body.error.details.map((d) => d.path);

describe('POST /api/chat/send', () => {
  it('answers 201 with the stored message', async () => {
    const res = await send(alice, { receiverId: dave.userId, content: 'hello dave' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      conversationId: expect.any(String),
      senderId: alice.userId,
      receiverId: dave.userId,
      content: 'hello dave',
      messageType: 'text',
      clientMessageId: null,
      createdAt: clock.now().toISOString(),
    });
  });

  it('pushes to the receiver and to the sender’s other connections, not to x-connection-id', async () => {
    const phone = listen(alice, 'alice-phone');
    const laptop = listen(alice, 'alice-laptop');
    // The receiver has a connection with the same id: the header never silences it.
    const receiver = listen(dave, 'alice-phone');
    try {
      const res = await send(
        alice,
        { receiverId: dave.userId, content: 'pushed' },
        { 'x-connection-id': 'alice-phone' },
      );
      expect(res.status).toBe(201);
      expect(phone.received).toEqual([]);
      expect(laptop.received).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]).toMatchObject({
        type: 'new-message',
        payload: { content: 'pushed' },
      });
    } finally {
      phone.stop();
      laptop.stop();
      receiver.stop();
    }
  });

  it('allows a note to self, pushed once to each of the sender’s other connections', async () => {
    const phone = listen(carol, 'carol-phone');
    const laptop = listen(carol, 'carol-laptop');
    try {
      const res = await send(
        carol,
        { receiverId: carol.userId, content: 'remember the milk' },
        { 'x-connection-id': 'carol-phone' },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ senderId: carol.userId, receiverId: carol.userId });
      expect(phone.received).toEqual([]);
      expect(laptop.received).toHaveLength(1);
    } finally {
      phone.stop();
      laptop.stop();
    }
  });

  describe('clientMessageId', () => {
    it('makes a retry answer 200 with the first message, storing and pushing nothing', async () => {
      const first = await send(alice, {
        receiverId: dave.userId,
        content: 'once',
        clientMessageId: 'msg-0001',
      });
      expect(first.status).toBe(201);
      expect(first.body.clientMessageId).toBe('msg-0001');

      const receiver = listen(dave, 'dave-phone');
      try {
        const retry = await send(alice, {
          receiverId: dave.userId,
          content: 'a different text',
          clientMessageId: 'msg-0001',
        });
        expect(retry.status).toBe(200);
        expect(retry.body).toEqual(first.body);
        expect(receiver.received).toEqual([]);
      } finally {
        receiver.stop();
      }
    });

    it('is per sender: another sender may use the same id', async () => {
      const res = await send(bob, {
        receiverId: dave.userId,
        content: 'x',
        clientMessageId: 'msg-0001',
      });
      expect(res.status).toBe(201);
    });

    it('takes 1 to 64 characters', async () => {
      const ok = await send(alice, {
        receiverId: dave.userId,
        content: 'x',
        clientMessageId: '🆔'.repeat(64),
      });
      expect(ok.status).toBe(201);
      for (const clientMessageId of ['', 'x'.repeat(65), 42, 'bad\ud800']) {
        const res = await send(alice, { receiverId: dave.userId, content: 'x', clientMessageId });
        expect(res.status, String(clientMessageId)).toBe(400);
        expect(fieldPaths(res)).toEqual(['clientMessageId']);
      }
    });
  });

  describe('content', () => {
    it('takes 1 to 65 536 code points, over 64 KiB of body allowed', async () => {
      const longest = '😀'.repeat(65_536);
      const ok = await send(alice, { receiverId: dave.userId, content: longest });
      expect(ok.status).toBe(201);
      expect(ok.body.content).toBe(longest);
      const res = await send(alice, { receiverId: dave.userId, content: `${longest}!` });
      expect(res.status).toBe(400);
      expect(fieldPaths(res)).toEqual(['content']);
    });

    it('refuses empty, ill-formed and non-string content', async () => {
      for (const content of ['', 'half \udc00 pair', 7, null, { $gt: '' }, ['a']]) {
        const res = await send(alice, { receiverId: dave.userId, content });
        expect(res.status, JSON.stringify(content)).toBe(400);
        expect(fieldPaths(res)).toEqual(['content']);
      }
    });

    it('keeps whitespace and control characters as sent (ciphertext goes here)', async () => {
      const res = await send(alice, { receiverId: dave.userId, content: '  \u0000\n ' });
      expect(res.status).toBe(201);
      expect(res.body.content).toBe('  \u0000\n ');
    });
  });

  describe('messageType', () => {
    it('defaults to "text", also for null', async () => {
      const res = await send(alice, { receiverId: dave.userId, content: 'x', messageType: null });
      expect(res.body.messageType).toBe('text');
    });

    it('takes 1 to 32 of [a-z0-9_-]', async () => {
      const res = await send(alice, {
        receiverId: dave.userId,
        content: 'x',
        messageType: 'e2ee_v2-x',
      });
      expect(res.status).toBe(201);
      expect(res.body.messageType).toBe('e2ee_v2-x');
      for (const messageType of ['', 'Text', 'a'.repeat(33), 'im age', 'ü', 1]) {
        const bad = await send(alice, { receiverId: dave.userId, content: 'x', messageType });
        expect(bad.status, String(messageType)).toBe(400);
        expect(fieldPaths(bad)).toEqual(['messageType']);
      }
    });
  });

  it('answers 404 USER_NOT_FOUND for an unknown or malformed receiver', async () => {
    for (const receiverId of [UNKNOWN_ID, 'nope', '']) {
      const res = await send(alice, { receiverId, content: 'x' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: 'USER_NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('answers 400 for a receiverId that is not a string', async () => {
    const res = await send(alice, { receiverId: { $ne: null }, content: 'x' });
    expect(res.status).toBe(400);
    expect(fieldPaths(res)).toEqual(['receiverId']);
  });
});

describe('GET /api/chat/conversations', () => {
  let conversations: TestApp;
  let a: RegisteredUser;
  let b: RegisteredUser;
  let c: RegisteredUser;

  beforeAll(async () => {
    conversations = await createTestApp();
    [a, b, c] = await Promise.all([
      registerUser(conversations.app, { displayName: 'A' }),
      registerUser(conversations.app, { displayName: 'B' }),
      registerUser(conversations.app, { displayName: 'C', username: null }),
    ]);
    const say = async (from: RegisteredUser, to: RegisteredUser, content: string) => {
      conversations.clock.advance(1000);
      const res = await call(conversations.app, 'POST', '/api/chat/send', {
        token: from.token,
        json: { receiverId: to.userId, content },
      });
      expect(res.status).toBe(201);
    };
    await say(a, b, 'a→b 1');
    await say(a, c, 'a→c 1');
    await say(a, a, 'a→a 1');
    await say(b, a, 'b→a 2');
  });

  const list = (user: RegisteredUser, query = '') =>
    call(conversations.app, 'GET', `/api/chat/conversations${query}`, { token: user.token });

  it('lists the caller’s conversations, newest last message first', async () => {
    const res = await list(a);
    expect(res.status).toBe(200);
    expect(
      res.body.map((conv: { lastMessage: { content: string } }) => conv.lastMessage.content),
    ).toEqual(['b→a 2', 'a→a 1', 'a→c 1']);
    const [withB] = res.body;
    expect(withB).toEqual({
      _id: withB.lastMessage.conversationId,
      participants: [a.userId, b.userId].sort(),
      peer: { _id: b.userId, username: b.username, displayName: 'B', deleted: false },
      lastMessage: {
        _id: expect.any(String),
        conversationId: expect.any(String),
        senderId: b.userId,
        receiverId: a.userId,
        content: 'b→a 2',
        messageType: 'text',
        clientMessageId: null,
        createdAt: withB.updatedAt,
      },
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      // b's one message to a, never read.
      unreadCount: 1,
      lastRead: null,
    });
  });

  it('shows a note to self with the caller as both participants and as the peer', async () => {
    const res = await list(a);
    const self = res.body.find(
      (conv: { lastMessage: { content: string } }) => conv.lastMessage.content === 'a→a 1',
    );
    expect(self.participants).toEqual([a.userId, a.userId]);
    expect(self.peer).toEqual({
      _id: a.userId,
      username: a.username,
      displayName: 'A',
      deleted: false,
    });
  });

  it('pages with limit and offset', async () => {
    const page = await list(a, '?limit=1&offset=1');
    expect(
      page.body.map((conv: { lastMessage: { content: string } }) => conv.lastMessage.content),
    ).toEqual(['a→a 1']);
    expect((await list(a, '?offset=3')).body).toEqual([]);
    expect((await list(a, `?offset=${2 ** 31 - 1}`)).body).toEqual([]);
    expect((await list(a, '?limit=100&offset=0')).body).toHaveLength(3);
    expect((await list(a, '?limit=01')).body).toHaveLength(1);
  });

  it('keeps conversations whose peer deleted their account, with a "Deleted account" peer', async () => {
    const { deps } = conversations;
    const users = {
      ...deps.users,
      findByIds: async (ids: readonly string[]) =>
        (await deps.users.findByIds(ids)).filter((user) => user.id !== b.userId),
    };
    const { app: gone } = await createTestApp({ deps: { ...deps, users } });
    const res = await call(gone, 'GET', '/api/chat/conversations', { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.map((conv: { peer: { _id: string } }) => conv.peer)).toEqual([
      { _id: b.userId, username: null, displayName: 'Deleted account', deleted: true },
      expect.objectContaining({ _id: a.userId, deleted: false }),
      expect.objectContaining({ _id: c.userId, deleted: false }),
    ]);
  });

  it('answers [] to a user without conversations', async () => {
    const fresh = await registerUser(conversations.app);
    const res = await list(fresh);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it.each([
    ['limit', '0'],
    ['limit', '101'],
    ['limit', '1.5'],
    ['limit', 'abc'],
    ['limit', '-1'],
    ['limit', ''],
    ['limit', '1e1'],
    ['limit', '+5'],
    ['offset', '-1'],
    ['offset', String(2 ** 31)],
    ['offset', '99999999999999999999999'],
    ['offset', '0x10'],
  ])('answers 400 at path %s to %j', async (name, value) => {
    const res = await list(a, `?${name}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ path: name, message: expect.any(String) }]);
  });

  it('answers 400 to a parameter given twice', async () => {
    const res = await list(a, '?limit=1&limit=2');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('limit');
  });
});

describe('GET /api/chat/messages/:userId', () => {
  let chat: TestApp;
  let a: RegisteredUser;
  let b: RegisteredUser;
  let c: RegisteredUser;
  const ids: string[] = [];

  beforeAll(async () => {
    chat = await createTestApp();
    [a, b, c] = await Promise.all([
      registerUser(chat.app),
      registerUser(chat.app),
      registerUser(chat.app),
    ]);
    for (let i = 0; i < 35; i++) {
      chat.clock.advance(1000);
      const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
      const res = await call(chat.app, 'POST', '/api/chat/send', {
        token: from.token,
        json: { receiverId: to.userId, content: `m${i}` },
      });
      ids.push(res.body._id);
    }
    chat.clock.advance(1000);
    await call(chat.app, 'POST', '/api/chat/send', {
      token: a.token,
      json: { receiverId: c.userId, content: 'to c' },
    });
  });

  const read = (user: RegisteredUser, peer: string, query = '') =>
    call(chat.app, 'GET', `/api/chat/messages/${peer}${query}`, { token: user.token });
  const contents = (res: { body: { content: string }[] }) => res.body.map((m) => m.content);

  it('answers the newest 30 first by default, from either side', async () => {
    const res = await read(a, b.userId);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(30);
    expect(contents(res).slice(0, 3)).toEqual(['m34', 'm33', 'm32']);
    expect(res.body[0]).toEqual({
      _id: ids[34],
      conversationId: expect.any(String),
      senderId: a.userId,
      receiverId: b.userId,
      content: 'm34',
      messageType: 'text',
      clientMessageId: null,
      createdAt: expect.any(String),
      deliveredAt: null,
      readAt: null,
    });
    expect(contents(await read(b, a.userId))).toEqual(contents(res));
  });

  it('pages with limit and offset', async () => {
    expect(contents(await read(a, b.userId, '?limit=2&offset=1'))).toEqual(['m33', 'm32']);
    expect(contents(await read(a, b.userId, '?limit=100&offset=33'))).toEqual(['m1', 'm0']);
  });

  it('starts before a message with the before cursor, offset skipping within', async () => {
    expect(contents(await read(a, b.userId, `?before=${ids[10]}&limit=3`))).toEqual([
      'm9',
      'm8',
      'm7',
    ]);
    expect(contents(await read(a, b.userId, `?before=${ids[10]}&limit=3&offset=8`))).toEqual([
      'm1',
      'm0',
    ]);
    expect(contents(await read(a, b.userId, `?before=${ids[0]}`))).toEqual([]);
  });

  it('answers 400 at path before to a before that is malformed, unknown or elsewhere', async () => {
    const elsewhere = (await read(a, c.userId)).body[0]._id;
    for (const before of ['nope', UNKNOWN_ID, elsewhere, '']) {
      const res = await read(a, b.userId, `?before=${before}`);
      expect(res.status, before).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'before', message: expect.any(String) }]);
    }
  });

  it('answers [] between users without messages', async () => {
    const res = await read(b, c.userId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown or malformed user', async () => {
    for (const peer of [UNKNOWN_ID, 'nope']) {
      const res = await read(a, peer);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('USER_NOT_FOUND');
    }
  });

  it('validates limit and offset as conversations does', async () => {
    for (const query of ['?limit=0', '?limit=101', '?limit=2.5', '?offset=-3', '?offset=x']) {
      const res = await read(a, b.userId, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details[0].path).toBe(query.slice(1).split('=')[0]);
    }
  });
});
