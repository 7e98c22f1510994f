/**
 * Call signaling over real sockets (API.md §7): every row of the call table,
 * every call error code, ring timeout, glare, disconnects, and a full call
 * that ends in the history (§6) as completed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import {
  frameOf,
  registerUser,
  type ServerAddress,
  useWsTestServer,
  type WsClient,
} from '../support/ws-client.js';

const { server, connect } = useWsTestServer();

let sequence = 0;
/** A fresh user with `connections` live sockets. */
async function userWith(name: string, connections = 1, on: ServerAddress = server) {
  sequence += 1;
  const user = await registerUser(on.url, `${name} ${sequence}`);
  const sockets: WsClient[] = [];
  for (let i = 0; i < connections; i += 1) sockets.push(await connect(user, { on }));
  return { user, sockets };
}

/** A places a call to B (B with `calleeConnections` sockets) and B is rung. */
async function ringingCall(calleeConnections = 1, callId = `call-${++sequence}`) {
  const a = await userWith('Caller');
  const b = await userWith('Callee', calleeConnections);
  const caller = a.sockets[0]!;
  caller.send('call-user', { to: b.user.userId, callId });
  await caller.waitFor(frameOf('call-ringing', { callId }));
  for (const socket of b.sockets) await socket.waitFor(frameOf('call-user', { callId }));
  return { a, b, caller, callee: b.sockets, callId };
}

describe('call-user', () => {
  it('rings every callee connection and tells the caller call-ringing', async () => {
    const a = await userWith('Ann');
    const b = await userWith('Ben', 2);
    const caller = a.sockets[0]!;
    caller.send('call-user', {
      to: b.user.userId,
      callId: 'ring-1',
      media: 'video',
      sdp: 'v=0 offer',
      extra: { nested: [1, 2] },
      from: 'forged',
      reason: 'forged',
    });
    expect((await caller.waitFor(frameOf('call-ringing'))).payload).toEqual({
      callId: 'ring-1',
      to: b.user.userId,
    });
    for (const socket of b.sockets) {
      const ring = await socket.waitFor(frameOf('call-user'));
      expect(ring.payload).toEqual({
        to: b.user.userId,
        callId: 'ring-1',
        from: a.user.userId,
        fromDisplayName: a.user.displayName,
        media: 'video',
        sdp: 'v=0 offer',
        extra: { nested: [1, 2] },
      });
    }
  });

  it('generates a callId and defaults media to audio', async () => {
    const a = await userWith('Ann');
    const b = await userWith('Ben');
    a.sockets[0]!.send('call-user', { to: b.user.userId });
    const ringing = await a.sockets[0]!.waitFor(frameOf('call-ringing'));
    expect(ringing.payload.callId).toEqual(expect.any(String));
    const ring = await b.sockets[0]!.waitFor(frameOf('call-user'));
    expect(ring.payload).toMatchObject({ callId: ringing.payload.callId, media: 'audio' });
  });

  it('tells the caller call-unavailable when the callee has no connection', async () => {
    const a = await userWith('Ann');
    const offline = await userWith('Olga', 0);
    a.sockets[0]!.send('call-user', { to: offline.user.userId, callId: 'off-1' });
    expect((await a.sockets[0]!.waitFor(frameOf('call-unavailable'))).payload).toEqual({
      callId: 'off-1',
      to: offline.user.userId,
      reason: 'offline',
    });
  });

  it('answers call-rejected busy when the callee is in another call', async () => {
    const busy = await ringingCall();
    const c = await userWith('Cid');
    c.sockets[0]!.send('call-user', { to: busy.b.user.userId, callId: 'busy-1' });
    expect((await c.sockets[0]!.waitFor(frameOf('call-rejected'))).payload).toEqual({
      callId: 'busy-1',
      from: busy.b.user.userId,
      reason: 'busy',
    });
    await busy.callee[0]!.expectNoFrame(frameOf('call-user', { callId: 'busy-1' }));
  });

  it('refuses ALREADY_IN_CALL when the caller is in a call', async () => {
    const { caller } = await ringingCall();
    const c = await userWith('Cid');
    caller.send('call-user', { to: c.user.userId, callId: 'second' });
    expect((await caller.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'ALREADY_IN_CALL',
      type: 'call-user',
    });
    await c.sockets[0]!.expectNoFrame(frameOf('call-user'));
  });

  it("refuses CALL_EXISTS for a callId of the caller's own ended call; another's gets a fresh id", async () => {
    const { callId, caller, callee } = await ringingCall();
    const c = await userWith('Cid');
    const d = await userWith('Dee');
    c.sockets[0]!.send('call-user', { to: d.user.userId, callId });
    const ringing = await c.sockets[0]!.waitFor(frameOf('call-ringing', { to: d.user.userId }));
    expect(ringing.payload.callId).toMatch(/^[0-9a-f]{24}$/);
    c.sockets[0]!.send('call-ended', { callId: ringing.payload.callId });
    caller.send('call-ended', { callId });
    await callee[0]!.waitFor(frameOf('call-ended', { callId }));
    caller.send('call-user', { to: d.user.userId, callId });
    expect((await caller.waitFor(frameOf('error'))).payload.code).toBe('CALL_EXISTS');
  });

  it('refuses USER_NOT_FOUND for an unknown or malformed callee and VALIDATION_FAILED for oneself', async () => {
    const a = await userWith('Ann');
    const socket = a.sockets[0]!;
    socket.send('call-user', { to: '0123456789abcdef01234567' });
    expect((await socket.waitFor(frameOf('error'))).payload.code).toBe('USER_NOT_FOUND');
    socket.send('call-user', { to: 'not an id' });
    expect((await socket.waitFor(frameOf('error'))).payload.code).toBe('USER_NOT_FOUND');
    socket.send('call-user', { to: a.user.userId });
    expect((await socket.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'VALIDATION_FAILED',
      type: 'call-user',
      details: [{ path: 'payload.to', message: expect.any(String) }],
    });
    socket.send('call-user', { to: a.user.userId, callId: 'x'.repeat(65) });
    expect((await socket.waitFor(frameOf('error'))).payload.code).toBe('VALIDATION_FAILED');
    socket.send('call-user', { to: a.user.userId, media: 'hologram' });
    expect((await socket.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'payload.media' }],
    });
  });
});

describe('answering', () => {
  it('call-accepted reaches the caller; the other callee connections stop ringing', async () => {
    const { a, b, caller, callee, callId } = await ringingCall(2);
    const [b1, b2] = callee as [WsClient, WsClient];
    b1.send('call-accepted', { callId, note: 'hi' });
    expect((await caller.waitFor(frameOf('call-accepted'))).payload).toEqual({
      callId,
      from: b.user.userId,
      note: 'hi',
    });
    expect((await b2.waitFor(frameOf('call-ended'))).payload).toEqual({
      callId,
      reason: 'answered-elsewhere',
    });
    await b1.expectNoFrame(frameOf('call-ended'), 100);
    // A late accept from the other connection is refused.
    b2.send('call-accepted', { callId });
    expect((await b2.waitFor(frameOf('error'))).payload).toMatchObject({
      code: 'NOT_IN_CALL',
      type: 'call-accepted',
    });
    await caller.expectNoFrame(frameOf('call-accepted'), 100);
    expect(a.user.userId).not.toBe(b.user.userId);
  });

  it('two connections accepting at once: exactly one wins', async () => {
    const { caller, callee, callId } = await ringingCall(2);
    const [b1, b2] = callee as [WsClient, WsClient];
    b1.send('call-accepted', { callId });
    b2.send('call-accepted', { callId });
    await caller.waitFor(frameOf('call-accepted'));
    // The loser hears answered-elsewhere, then NOT_IN_CALL for its own accept.
    const loser = await Promise.any(
      [b1, b2].map(async (socket) => {
        await socket.waitFor(frameOf('error', { code: 'NOT_IN_CALL', type: 'call-accepted' }));
        return socket;
      }),
    );
    expect(loser.frames.map((f) => f.type)).toContain('call-ended');
    const other = loser === b1 ? b2 : b1;
    await other.expectNoFrame((f) => f.type === 'error' || f.type === 'call-ended', 100);
    await caller.expectNoFrame(frameOf('call-accepted'), 150);
  });

  it('call-rejected reaches the caller as declined; the other connections get rejected-elsewhere', async () => {
    const { b, caller, callee, callId } = await ringingCall(2);
    const [b1, b2] = callee as [WsClient, WsClient];
    b2.send('call-rejected', { callId });
    expect((await caller.waitFor(frameOf('call-rejected'))).payload).toEqual({
      callId,
      from: b.user.userId,
      reason: 'declined',
    });
    expect((await b1.waitFor(frameOf('call-ended'))).payload).toEqual({
      callId,
      reason: 'rejected-elsewhere',
    });
    await b2.expectNoFrame(frameOf('call-ended'), 100);
    b1.send('call-accepted', { callId });
    expect((await b1.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');
  });
});

describe('relaying offer, answer and ice-candidate', () => {
  it('goes to every callee connection before acceptance, then to the accepting one only', async () => {
    const { a, b, caller, callee, callId } = await ringingCall(2);
    const [b1, b2] = callee as [WsClient, WsClient];
    caller.send('offer', { callId, sdp: 'offer-sdp', from: 'forged' });
    for (const socket of [b1, b2]) {
      expect((await socket.waitFor(frameOf('offer'))).payload).toEqual({
        callId,
        from: a.user.userId,
        sdp: 'offer-sdp',
      });
    }
    b1.send('call-accepted', { callId });
    await caller.waitFor(frameOf('call-accepted'));
    b1.send('answer', { callId, sdp: 'answer-sdp' });
    expect((await caller.waitFor(frameOf('answer'))).payload).toEqual({
      callId,
      from: b.user.userId,
      sdp: 'answer-sdp',
    });
    caller.send('ice-candidate', { callId, candidate: { candidate: 'c1', sdpMLineIndex: 0 } });
    expect((await b1.waitFor(frameOf('ice-candidate'))).payload).toEqual({
      callId,
      from: a.user.userId,
      candidate: { candidate: 'c1', sdpMLineIndex: 0 },
    });
    await b2.expectNoFrame(frameOf('ice-candidate'), 100);
    // The callee connection that did not accept holds no side of the call.
    b2.send('ice-candidate', { callId, candidate: 'x' });
    expect((await b2.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');
  });

  it('keeps the order of one call: nothing sent after an offer overtakes it', async () => {
    const { caller, callee, callId } = await ringingCall(1);
    const b1 = callee[0]!;
    caller.send('offer', { callId, sdp: 'o' });
    for (let i = 0; i < 30; i += 1) caller.send('ice-candidate', { callId, candidate: `c${i}` });
    caller.send('call-ended', { callId });
    await b1.waitFor(frameOf('call-ended', { callId, reason: 'hangup' }));
    const relayed = b1.frames
      .filter((f) => f.payload?.callId === callId && f.type !== 'call-user')
      .map((f) => (f.type === 'ice-candidate' ? f.payload.candidate : f.type));
    expect(relayed).toEqual([
      'offer',
      ...Array.from({ length: 30 }, (_, i) => `c${i}`),
      'call-ended',
    ]);
  });

  it('refuses NOT_IN_CALL for an unknown call and for a call of others', async () => {
    const { callId } = await ringingCall();
    const stranger = (await userWith('Sam')).sockets[0]!;
    for (const type of ['offer', 'answer', 'ice-candidate', 'call-ended', 'call-rejected']) {
      stranger.send(type, { callId });
      expect((await stranger.waitFor(frameOf('error'))).payload).toMatchObject({
        code: 'NOT_IN_CALL',
        type,
      });
    }
    stranger.send('offer', { callId: 'no-such-call' });
    expect((await stranger.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');
  });
});

describe('hanging up', () => {
  it('call-ended reaches every ringing callee connection as hangup', async () => {
    const { a, caller, callee, callId } = await ringingCall(2);
    caller.send('call-ended', { callId });
    for (const socket of callee) {
      expect((await socket.waitFor(frameOf('call-ended'))).payload).toEqual({
        callId,
        from: a.user.userId,
        reason: 'hangup',
      });
    }
    caller.send('offer', { callId });
    expect((await caller.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');
  });

  it('a closed connection ends its call: the other side hears disconnected', async () => {
    const { caller, callee, callId } = await ringingCall(1);
    callee[0]!.send('call-accepted', { callId });
    await caller.waitFor(frameOf('call-accepted'));
    await caller.close();
    expect((await callee[0]!.waitFor(frameOf('call-ended'))).payload).toEqual({
      callId,
      reason: 'disconnected',
    });
  });
});

describe('glare', () => {
  it('keeps the call with the lower callId; the other ends with glare for both', async () => {
    const a = await userWith('Ann');
    const b = await userWith('Ben');
    const [sa, sb] = [a.sockets[0]!, b.sockets[0]!];
    sa.send('call-user', { to: b.user.userId, callId: 'glare-z' });
    await sb.waitFor(frameOf('call-user', { callId: 'glare-z' }));
    sb.send('call-user', { to: a.user.userId, callId: 'glare-a' });
    for (const socket of [sa, sb]) {
      expect((await socket.waitFor(frameOf('call-ended', { callId: 'glare-z' }))).payload).toEqual({
        callId: 'glare-z',
        reason: 'glare',
      });
    }
    await sa.waitFor(frameOf('call-user', { callId: 'glare-a', from: b.user.userId }));
    await sb.waitFor(frameOf('call-ringing', { callId: 'glare-a' }));
  });

  it('a call with the higher callId loses at once', async () => {
    const a = await userWith('Ann');
    const b = await userWith('Ben');
    const [sa, sb] = [a.sockets[0]!, b.sockets[0]!];
    sa.send('call-user', { to: b.user.userId, callId: 'glare-b' });
    await sb.waitFor(frameOf('call-user', { callId: 'glare-b' }));
    sb.send('call-user', { to: a.user.userId, callId: 'glare-y' });
    expect((await sb.waitFor(frameOf('call-ended', { callId: 'glare-y' }))).payload).toEqual({
      callId: 'glare-y',
      reason: 'glare',
    });
    await sa.expectNoFrame(frameOf('call-user', { callId: 'glare-y' }), 100);
  });
});

describe('a full call', () => {
  it('rings, is answered, relays, hangs up and shows in the history as completed', async () => {
    const { a, b, caller, callee, callId } = await ringingCall(1);
    const b1 = callee[0]!;
    b1.send('call-accepted', { callId });
    await caller.waitFor(frameOf('call-accepted'));
    caller.send('offer', { callId, sdp: 'offer' });
    await b1.waitFor(frameOf('offer'));
    b1.send('answer', { callId, sdp: 'answer' });
    await caller.waitFor(frameOf('answer'));
    caller.send('ice-candidate', { callId, candidate: 'ca' });
    b1.send('ice-candidate', { callId, candidate: 'cb' });
    await b1.waitFor(frameOf('ice-candidate'));
    await caller.waitFor(frameOf('ice-candidate'));
    b1.send('call-ended', { callId });
    expect((await caller.waitFor(frameOf('call-ended'))).payload).toEqual({
      callId,
      from: b.user.userId,
      reason: 'hangup',
    });

    for (const user of [a.user, b.user]) {
      const history = await callJson(server.url, 'GET', '/api/calls', { token: user.token });
      expect(history.status).toBe(200);
      expect(history.body[0]).toMatchObject({
        _id: callId,
        callerId: a.user.userId,
        calleeId: b.user.userId,
        media: 'audio',
        status: 'completed',
        endReason: 'hangup',
        durationSec: expect.any(Number),
        answeredAt: expect.stringMatching(/Z$/),
        endedAt: expect.stringMatching(/Z$/),
      });
    }
  });
});

describe('ring timeout', () => {
  let quick: RunningServer;
  beforeAll(async () => {
    quick = await startTestServer({ callRingTimeoutSec: 1 });
  });
  afterAll(async () => {
    await quick.close();
  });

  it('ends an unanswered call for both parties after CALL_RING_TIMEOUT', async () => {
    const a = await userWith('Ann', 1, quick);
    const b = await userWith('Ben', 2, quick);
    const caller = a.sockets[0]!;
    caller.send('call-user', { to: b.user.userId, callId: 'slow' });
    await caller.waitFor(frameOf('call-ringing'));
    const ended = { callId: 'slow', reason: 'timeout' };
    expect((await caller.waitFor(frameOf('call-ended'), 5_000)).payload).toEqual(ended);
    for (const socket of b.sockets) {
      expect((await socket.waitFor(frameOf('call-ended'), 5_000)).payload).toEqual(ended);
    }
    b.sockets[0]!.send('call-accepted', { callId: 'slow' });
    expect((await b.sockets[0]!.waitFor(frameOf('error'))).payload.code).toBe('NOT_IN_CALL');
    const history = await callJson(quick.url, 'GET', '/api/calls', { token: a.user.token });
    expect(history.body[0]).toMatchObject({ _id: 'slow', status: 'missed', endReason: 'timeout' });
  });
});
