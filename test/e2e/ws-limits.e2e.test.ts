/**
 * Socket limits over real sockets (API.md §7): bad input never closes a
 * healthy connection; 64 KiB frames (1009), the frame budget (RATE_LIMITED,
 * then 1008), a client that stops reading (1013), token expiry (4401) and
 * ping/pong liveness. Servers with short timers are started per case.
 */
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { callJson, TEST_JWT_SECRET } from '../support/start-test-server.js';
import {
  connectWs,
  frameOf,
  registerUser,
  type TestUser,
  useWsTestServer,
} from '../support/ws-client.js';

const { server, start: serverWith, connect } = useWsTestServer();

let alice: TestUser;

beforeAll(async () => {
  alice = await registerUser(server.url, 'Alice');
});

describe('bad input', () => {
  it('answers a barrage of malformed frames with errors, in order, and the connection still works', async () => {
    const socket = await connect(alice);
    const deep = `{"type":"offer","payload":{"callId":"c","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const barrage: [string | Buffer, string][] = [
      ['{', 'INVALID_JSON'],
      ['not json at all', 'INVALID_JSON'],
      ['', 'INVALID_JSON'],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'INVALID_JSON'],
      ['[]', 'VALIDATION_FAILED'],
      ['[{"type":"offer","payload":{"callId":"c"}}]', 'VALIDATION_FAILED'],
      ['null', 'VALIDATION_FAILED'],
      ['1e999', 'VALIDATION_FAILED'],
      ['123456789012345678901234567890', 'VALIDATION_FAILED'],
      ['"call-user"', 'VALIDATION_FAILED'],
      ['{"payload":{}}', 'VALIDATION_FAILED'],
      ['{"type":42,"payload":{}}', 'VALIDATION_FAILED'],
      ['{"type":"dance","payload":{}}', 'UNKNOWN_EVENT'],
      ['{"type":"__proto__","payload":{}}', 'UNKNOWN_EVENT'],
      ['{"type":"constructor","payload":{}}', 'UNKNOWN_EVENT'],
      ['{"type":"ready","payload":{}}', 'UNKNOWN_EVENT'],
      ['{"type":"call-user"}', 'VALIDATION_FAILED'],
      ['{"type":"call-user","payload":[]}', 'VALIDATION_FAILED'],
      ['{"type":"call-user","payload":"x"}', 'VALIDATION_FAILED'],
      ['{"type":"call-user","payload":{"to":1e999}}', 'VALIDATION_FAILED'],
      ['{"type":"call-user","payload":{"to":["a"]}}', 'VALIDATION_FAILED'],
      ['{"type":"offer","payload":{"callId":null}}', 'VALIDATION_FAILED'],
      ['{"type":"offer","payload":{"callId":123}}', 'VALIDATION_FAILED'],
      ['{"type":"update-presence","payload":{"status":"away"}}', 'VALIDATION_FAILED'],
      ['{"type":"subscribe-presence","payload":{"userIds":"abc"}}', 'VALIDATION_FAILED'],
      [deep, 'VALIDATION_FAILED'],
      ['{"type":"call-user","payload":{"to":"nobody"},"extra":1}', 'USER_NOT_FOUND'],
      ['{"type":"offer","payload":{"callId":"no-such-call"}}', 'NOT_IN_CALL'],
    ];
    for (const [data] of barrage) socket.sendRaw(data);
    const codes: string[] = [];
    for (let i = 0; i < barrage.length; i += 1) {
      const error = await socket.waitFor(frameOf('error'));
      expect(error.payload).toEqual(
        expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
      );
      codes.push(error.payload.code);
    }
    expect(codes).toEqual(barrage.map(([, code]) => code));

    // Still open and working: a real frame is answered.
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    socket.send('subscribe-presence', { userIds: [alice.userId] });
    expect((await socket.waitFor(frameOf('presence-update'))).payload).toMatchObject({
      userId: alice.userId,
      status: 'active',
    });
  });

  it('takes a frame of exactly 64 KiB and closes with 1009 on a larger one', async () => {
    const socket = await connect(alice);
    const frameOfSize = (bytes: number) => {
      const empty = JSON.stringify({ type: 'offer', payload: { callId: 'none', pad: '' } });
      return JSON.stringify({
        type: 'offer',
        payload: { callId: 'none', pad: 'x'.repeat(bytes - empty.length) },
      });
    };
    const limit = frameOfSize(64 * 1024);
    expect(Buffer.byteLength(limit)).toBe(65_536);
    socket.sendRaw(limit);
    expect((await socket.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');

    socket.sendRaw(frameOfSize(64 * 1024 + 1));
    expect((await socket.waitForClose()).code).toBe(1009);
  });
});

describe('the frame budget', () => {
  it('answers RATE_LIMITED over budget and closes with 1008 when the flood goes on', async () => {
    // Bursts of 10 and one frame a second: a test's frames all arrive within one refill.
    const limited = await serverWith(
      { rateLimits: true },
      { websocket: { frameBudget: { burst: 10, perSecond: 1 } } },
    );
    const user = await registerUser(limited.url, 'Flooder');
    const [flooder, sibling] = [
      await connect(user, { on: limited }),
      await connect(user, { on: limited }),
    ];

    for (let i = 0; i < 13; i += 1) flooder.send('dance', {});
    const codes: string[] = [];
    for (let i = 0; i < 13; i += 1)
      codes.push((await flooder.waitFor(frameOf('error'))).payload.code);
    expect(codes.filter((code) => code === 'UNKNOWN_EVENT').length).toBeGreaterThanOrEqual(10);
    expect(codes.slice(-2)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(flooder.socket.readyState).toBe(flooder.socket.OPEN);

    for (let i = 0; i < 30; i += 1) flooder.send('dance', {});
    expect((await flooder.waitForClose()).code).toBe(1008);

    // The budget is per connection: the user's other connection is untouched.
    await sibling.roundTrip();
  });

  it('lets a burst of 100 frames through by default', async () => {
    const limited = await serverWith({ rateLimits: true });
    const user = await registerUser(limited.url, 'Burster');
    const socket = await connect(user, { on: limited });
    for (let i = 0; i < 100; i += 1) socket.send('dance', {});
    for (let i = 0; i < 100; i += 1) {
      expect((await socket.waitFor(frameOf('error'))).payload.code).toBe('UNKNOWN_EVENT');
    }
  });
});

describe('a client that stops reading', () => {
  it("is closed with 1013 once more than 1 MiB of its own user's doing waits to be sent to it", async () => {
    const receiver = await registerUser(server.url, 'Receiver');
    const reader = await registerUser(server.url, 'Slow reader');
    const slow = await connect(reader);
    slow.socket.pause();
    // The reader's own messages, sent from another device (HTTP), reach this
    // socket: pushes of its own user's doing, which count (other users' do
    // not: test/security/relay-flood.test.ts). Up to 16 MiB (256 KiB each):
    // far more than the kernel's socket buffers hold (about 6 MiB got through
    // here), so well over 1 MiB piles up in the server.
    const content = '😀'.repeat(65_536);
    const pushes = 64;
    for (let i = 0; i < pushes; i += 1) {
      const sent = await callJson(server.url, 'POST', '/api/chat/send', {
        token: reader.token,
        body: { receiverId: receiver.userId, content },
      });
      expect(sent.status).toBe(201);
    }
    slow.socket.resume();
    expect((await slow.waitForClose(15_000)).code).toBe(1013);
    const received = slow.frames.filter((f) => f.type === 'new-message').length;
    expect(received).toBeLessThan(pushes);
  });
});

describe('token expiry', () => {
  it('closes the connection with 4401 when its token expires', async () => {
    // JWT_TTL's minimum of 60 s is the environment's; a test configuration may go lower.
    const shortLived = await serverWith({ jwtTtlSec: 2 });
    const user = await registerUser(shortLived.url, 'Ephemeral');
    const socket = await connect(user, { on: shortLived });
    const closed = await socket.waitForClose(5_000);
    expect(closed.code).toBe(4401);
  });

  it('closes each connection at the expiry of its own token, not before', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokenExpiringAt = (exp: number) =>
      new SignJWT({ sid: alice.sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(alice.userId)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const later = await connectWs(server.url, await tokenExpiringAt(now + 4));
    const sooner = await connectWs(server.url, await tokenExpiringAt(now + 2));
    const leftEarly = await connectWs(server.url, await tokenExpiringAt(now + 2));
    await leftEarly.close();

    expect((await sooner.waitForClose(5_000)).code).toBe(4401);
    expect(Date.now()).toBeGreaterThanOrEqual((now + 2) * 1000);
    expect(later.socket.readyState).toBe(later.socket.OPEN);
    const closed = await later.waitForClose(5_000);
    expect(closed).toEqual({ code: 4401, reason: 'The token has expired.' });
    expect(Date.now()).toBeGreaterThanOrEqual((now + 4) * 1000);
  });
});

describe('ping and pong', () => {
  it('keeps a client that answers pings and drops one that does not', async () => {
    const quick = await serverWith({}, { websocket: { pingIntervalMs: 50, pongTimeoutMs: 1_000 } });
    const user = await registerUser(quick.url, 'Pinged');
    const healthy = await connect(user, { on: quick });
    const silent = await connect(user, { on: quick, ws: { autoPong: false } });

    let pings = 0;
    const fivePings = new Promise<void>((resolve) => {
      healthy.socket.on('ping', () => {
        pings += 1;
        if (pings === 5) resolve();
      });
    });
    const dropped = await silent.waitForClose(5_000);
    // Dropped without a closing handshake: the client sees an abnormal closure.
    expect(dropped.code).toBe(1006);
    await fivePings;
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    await healthy.roundTrip();
  });
});
