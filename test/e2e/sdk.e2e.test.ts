/**
 * The client SDK (sdk/) from Node against a started server, with `ws` as
 * its WebSocket (Node 20 has none of its own): typed HTTP calls and errors,
 * the socket's typed frames (each checked against the documented server
 * frames), no echo of one's own send, call signaling, reconnection after
 * the server drops the socket, and no reconnection once the session ends.
 */
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../apps/server/start-server.js';
import {
  ApiError,
  MyCallsClient,
  type ServerFrame,
  type SocketState,
  type WebSocketConstructor,
} from '../../sdk/index.js';
import { startTestServer } from '../support/start-test-server.js';
import { undocumentedFrame } from '../support/ws-client.js';

let server: RunningServer;
const clients: MyCallsClient[] = [];
let phone = 15550180000;

beforeAll(async () => {
  // A small frame limit lets a test make the server drop a socket (1009).
  server = await startTestServer({}, { websocket: { maxFrameBytes: 4096 } });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server?.close();
});

interface Person {
  readonly client: MyCallsClient;
  readonly userId: string;
  readonly frames: ServerFrame[];
}

async function person(name: string, options: { autoAck?: boolean } = {}): Promise<Person> {
  const client = new MyCallsClient({
    baseUrl: server.url,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
  });
  clients.push(client);
  phone += 1;
  const session = await client.signInOrUp({
    phoneNumber: `+${phone}`,
    password: 'correct horse battery',
    displayName: name,
  });
  const frames: ServerFrame[] = [];
  client.socket.onFrame((frame) => {
    expect(undocumentedFrame(frame)).toBeNull();
    frames.push(frame);
  });
  await client.connect();
  return { client, userId: session.userId, frames };
}

async function until<T>(find: () => T | undefined, what: string, ms = 3_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function frame<K extends ServerFrame['type']>(p: Person, type: K) {
  return until(
    () => p.frames.find((f): f is Extract<ServerFrame, { type: K }> => f.type === type),
    `${type}`,
  );
}

describe('the client SDK against a running server', () => {
  it('signs up, finds a user, sends a message pushed to the other side but not echoed', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const me = await bob.client.api.me();
    const [found] = await alice.client.api.lookup([me.phoneNumber]);
    expect(found?._id).toBe(bob.userId);

    const sent = await alice.client.api.sendMessage({ receiverId: bob.userId, content: 'hi' });
    const pushed = await frame(bob, 'new-message');
    expect(pushed.payload).toEqual(sent);
    const history = await bob.client.api.messages(alice.userId, { limit: 10 });
    expect(history.map((m) => m._id)).toEqual([sent._id]);
    const [conversation] = await bob.client.api.conversations();
    expect(conversation?.peer.displayName).toBe('Alice');
    // The sending device names its socket: it is not pushed its own message.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alice.frames.filter((f) => f.type === 'new-message')).toEqual([]);
  });

  it('marks a conversation read: unreadCount drops and the sender is told messages-read', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const sent = await alice.client.api.sendMessage({ receiverId: bob.userId, content: 'read me' });
    expect((await bob.client.api.conversations())[0]?.unreadCount).toBe(1);
    await bob.client.api.markRead({ peerId: alice.userId, upTo: sent._id });
    expect((await frame(alice, 'messages-read')).payload).toMatchObject({
      by: bob.userId,
      upTo: sent._id,
    });
    expect((await bob.client.api.conversations())[0]?.unreadCount).toBe(0);
  });

  it('acknowledges what it receives: the sender is told message-delivered once, the history shows deliveredAt', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const sent = await alice.client.api.sendMessage({ receiverId: bob.userId, content: 'arrive' });
    const delivered = await frame(alice, 'message-delivered');
    expect(delivered.payload).toEqual({
      messageId: sent._id,
      to: bob.userId,
      deliveredAt: expect.any(String),
    });
    const [mine] = await alice.client.api.messages(bob.userId, { limit: 1 });
    expect(mine?.deliveredAt).toBe(delivered.payload.deliveredAt);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(alice.frames.filter((f) => f.type === 'message-delivered')).toHaveLength(1);
  });

  it('acknowledges nothing with autoAck off until told to', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob', { autoAck: false });
    const sent = await alice.client.api.sendMessage({ receiverId: bob.userId, content: 'hold' });
    await frame(bob, 'new-message');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(alice.frames.filter((f) => f.type === 'message-delivered')).toEqual([]);
    expect(bob.client.socket.ack()).toBe(true);
    expect((await frame(alice, 'message-delivered')).payload.messageId).toBe(sent._id);
    // Nothing new since: a second ack sends nothing.
    expect(bob.client.socket.ack()).toBe(false);
  });

  it('sends typing to a conversation partner, who gets typed typing frames on and off', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    await alice.client.api.sendMessage({ receiverId: bob.userId, content: 'typing next' });
    expect(alice.client.typing(bob.userId, true)).toBe(true);
    const on = await frame(bob, 'typing');
    expectTypeOf(on.payload).toEqualTypeOf<{ from: string; active: boolean }>();
    expect(on.payload).toEqual({ from: alice.userId, active: true });
    expect(alice.client.socket.typing(bob.userId, false)).toBe(true);
    const off = await until(
      () => bob.frames.find((f) => f.type === 'typing' && !f.payload.active),
      'typing off',
    );
    expect(off.payload).toEqual({ from: alice.userId, active: false });
    // Nothing comes back to the typist.
    expect(alice.frames.filter((f) => f.type === 'typing')).toEqual([]);
  });

  it('throws ApiError with the server code, status and details', async () => {
    const alice = await person('Alice');
    const error = await alice.client.api
      .sendMessage({ receiverId: 'ffffffffffffffffffffffff', content: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    const invalid = await alice.client.api
      .register({ phoneNumber: 'nope', displayName: '', password: 'short' })
      .catch((e: unknown) => e as ApiError);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((invalid as ApiError).details.map((d) => d.path).sort()).toEqual([
      'displayName',
      'password',
      'phoneNumber',
    ]);
  });

  it('signals a call with typed frames: ring, accept, offer/answer relayed, hang up, history', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    alice.client.socket.send('call-user', { to: bob.userId, media: 'video', callId: 'sdk-call-1' });
    const ring = await frame(bob, 'call-user');
    expect(ring.payload).toMatchObject({ callId: 'sdk-call-1', fromDisplayName: 'Alice' });
    bob.client.socket.send('call-accepted', { callId: 'sdk-call-1' });
    await frame(alice, 'call-accepted');
    alice.client.socket.send('offer', { callId: 'sdk-call-1', sdp: 'v=0 offer' });
    expect((await frame(bob, 'offer')).payload.sdp).toBe('v=0 offer');
    bob.client.socket.send('answer', { callId: 'sdk-call-1', sdp: 'v=0 answer' });
    expect((await frame(alice, 'answer')).payload.from).toBe(bob.userId);
    alice.client.socket.send('call-ended', { callId: 'sdk-call-1' });
    expect((await frame(bob, 'call-ended')).payload.reason).toBe('hangup');
    const [record] = await bob.client.api.calls();
    expect(record).toMatchObject({ _id: 'sdk-call-1', status: 'completed', endReason: 'hangup' });
  });

  it('reconnects with back-off after the server drops the socket, with a new connection id', async () => {
    const alice = await person('Alice');
    const states: SocketState[] = [];
    alice.client.socket.onState((state) => states.push(state));
    const first = alice.client.socket.connectionId;
    // Over the server's frame limit: it closes the socket with 1009.
    alice.client.socket.send('subscribe-presence', { userIds: ['x'.repeat(5000)] });
    await until(() => (states.includes('open') ? true : undefined), 'the socket to be open again');
    expect(states[0]).toBe('reconnecting');
    expect(alice.client.socket.connectionId).not.toBe(first);
    expect(alice.frames.filter((f) => f.type === 'ready')).toHaveLength(2);
  });

  it('resumes from the last seq it saw: what came while it was away is replayed, then sync-done', async () => {
    const alice = await person('Alice');
    const bob = await person('Bob');
    const before = alice.client.socket.seq;
    expect(typeof before).toBe('number');
    alice.client.socket.close();
    const missed = await bob.client.api.sendMessage({ receiverId: alice.userId, content: 'away' });
    alice.frames.length = 0;
    await alice.client.connect();
    const replayed = await frame(alice, 'new-message');
    expect(replayed.payload).toEqual(missed);
    expect(replayed.seq).toBeGreaterThan(before!);
    const done = await frame(alice, 'sync-done');
    expect(alice.frames.filter((f) => f.type === 'new-message')).toHaveLength(1);
    expect(alice.client.socket.seq).toBe(done.payload.seq);
  });

  it('stops reconnecting once the session is ended elsewhere (4401)', async () => {
    const alice = await person('Alice');
    const other = new MyCallsClient({ baseUrl: server.url, token: alice.client.api.token });
    const [current] = await other.api.sessions();
    await other.api.endSession(current!.sessionId);
    await until(
      () => (alice.client.socket.state === 'unauthorized' ? true : undefined),
      'the socket to give up',
    );
    await expect(alice.client.api.me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('changes the password (other sessions end) and deletes the account', async () => {
    const alice = await person('Alice');
    const me = await alice.client.api.me();
    const other = new MyCallsClient({ baseUrl: server.url });
    await other.api.login({ phoneNumber: me.phoneNumber, password: 'correct horse battery' });
    const wrong = await alice.client.api
      .changePassword({ currentPassword: 'not it', newPassword: 'a new password' })
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    await expect(
      alice.client.api.changePassword({
        currentPassword: 'correct horse battery',
        newPassword: 'a new password',
      }),
    ).resolves.toEqual({ ended: 1 });
    await expect(other.api.me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await alice.client.api.deleteAccount({ password: 'a new password' });
    expect(alice.client.api.token).toBeNull();
    await until(
      () => (alice.client.socket.state === 'unauthorized' ? true : undefined),
      'the socket to give up',
    );
  });

  it('waits between attempts: exponential, capped, jittered', () => {
    const socket = new MyCallsClient({
      baseUrl: server.url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      backoff: { initialMs: 100, maxMs: 1000, factor: 2 },
    }).socket;
    expect([1, 2, 3, 4, 5, 6].map((n) => socket.delayFor(n, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(socket.delayFor(3, () => 0)).toBe(200);
  });
});
