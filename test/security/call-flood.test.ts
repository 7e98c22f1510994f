/**
 * Call floods (SECURITY.md): `call-user` is limited per caller and per pair
 * (`error RATE_LIMITED`, the socket stays open), and a user's history stays
 * cheap to read however many calls it holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCallRepository } from '../../adapters/memory/call-repository.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import type { CallId, CallRecord, UserId } from '../../core/index.js';
import { startTestServer } from '../support/start-test-server.js';
import { connectWs, frameOf, registerUser } from '../support/ws-client.js';
import { UNLIMITED } from './helpers.js';

describe('call-user limits, on a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer({
      rateLimits: true,
      rateLimitRules: {
        ...UNLIMITED,
        callPerUser: { points: 5, durationSec: 600 },
        callPerPair: { points: 3, durationSec: 600 },
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('per pair, then per caller: over either, error RATE_LIMITED and nobody is rung', async () => {
    const [alice, bob, carol, dave] = await Promise.all(
      ['Alice', 'Bob', 'Carol', 'Dave'].map((name) => registerUser(server.url, name)),
    );
    const caller = await connectWs(server.url, alice!.token);
    const victim = await connectWs(server.url, bob!.token);
    const ringsOfBob = () => victim.frames.filter((frame) => frame.type === 'call-user').length;

    for (let i = 0; i < 3; i++) {
      caller.send('call-user', { to: bob!.userId });
      const ringing = await caller.waitFor(frameOf('call-ringing'));
      caller.send('call-ended', { callId: ringing.payload.callId });
      await victim.waitFor(frameOf('call-ended', { callId: ringing.payload.callId }));
    }
    expect(ringsOfBob()).toBe(3);
    caller.send('call-user', { to: bob!.userId });
    const refused = await caller.waitFor(frameOf('error', { code: 'RATE_LIMITED' }));
    expect(refused.payload).toMatchObject({ type: 'call-user', retryAfter: expect.any(Number) });
    expect(refused.payload.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.payload.retryAfter).toBeLessThanOrEqual(600);
    await caller.roundTrip();
    expect(ringsOfBob()).toBe(3);

    // Other callees still ring, until the caller's own budget (5, refusals counted) is spent.
    caller.send('call-user', { to: carol!.userId });
    await caller.waitFor(frameOf('call-unavailable', { to: carol!.userId }));
    caller.send('call-user', { to: dave!.userId });
    await caller.waitFor(frameOf('error', { code: 'RATE_LIMITED' }));

    // The socket is still there and still works; others call Bob freely.
    caller.send('update-presence', { status: 'idle' });
    await caller.roundTrip();
    expect(caller.socket.readyState).toBe(caller.socket.OPEN);
    const other = await connectWs(server.url, carol!.token);
    other.send('call-user', { to: bob!.userId });
    await other.waitFor(frameOf('call-ringing'));
    await Promise.all([caller.close(), victim.close(), other.close()]);
  });
});

describe('call history of a flooded user (memory store)', () => {
  it('reads a page without looking at the whole history', async () => {
    const calls = createMemoryCallRepository();
    const victim = 'a'.repeat(24) as UserId;
    let dateReads = 0;
    // Counts every look at a call's start time: a sort of the whole history makes ~10⁶.
    class CountedDate extends Date {
      override getTime(): number {
        dateReads += 1;
        return super.getTime();
      }
      override valueOf(): number {
        dateReads += 1;
        return super.valueOf();
      }
    }
    const total = 50_000;
    const t0 = Date.parse('2026-03-01T12:00:00.000Z');
    for (let i = 0; i < total; i++) {
      const record: CallRecord = {
        id: `call-${String(i).padStart(6, '0')}` as CallId,
        callerId: `${String(i % 40).padStart(24, '0')}` as UserId,
        calleeId: victim,
        media: 'audio',
        status: 'missed',
        startedAt: new CountedDate(t0 + i * 10),
        answeredAt: null,
        endedAt: new Date(t0 + i * 10),
        durationSec: null,
        endReason: 'hangup',
      };
      await calls.insert(record);
    }
    dateReads = 0;
    const newest = await calls.listForUser(victim, { limit: 30, offset: 0 });
    const deeper = await calls.listForUser(victim, { limit: 30, offset: 20_000 });
    expect(newest.map((call) => call.id)).toEqual(
      Array.from({ length: 30 }, (_, i) => `call-${String(total - 1 - i).padStart(6, '0')}`),
    );
    expect(deeper[0]!.id).toBe(`call-${String(total - 1 - 20_000).padStart(6, '0')}`);
    // The next page after a cursor (the last call of `deeper`) is found by a search, not a walk.
    const last = deeper.at(-1)!;
    const next = await calls.listForUser(victim, {
      limit: 30,
      offset: 0,
      before: { startedAt: last.startedAt, id: last.id },
    });
    expect(next[0]!.id).toBe(`call-${String(total - 1 - 20_030).padStart(6, '0')}`);
    expect(next).toHaveLength(30);
    expect(dateReads).toBeLessThan(300);
  });
});
