import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallId, PushDelivery, PushMessage, SessionId, UserId } from '../../core/index.js';
import { createFixedClock } from '../memory/clock.js';
import { createMemorySessionRepository } from '../memory/session-repository.js';
import type { PushOutcome, PushProviderName } from '../wire/observation.js';
import {
  createPushDispatcher,
  type ProviderResult,
  resultOfStatus,
  retryAfterMs,
} from './dispatcher.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const user = 'u1' as UserId;
const registration = { kind: 'fcm', token: 't1' } as const;

function delivery(message: PushMessage, sessionId = 's1'): PushDelivery {
  return { userId: user, sessionId: sessionId as SessionId, registration, message };
}

async function setup(answers: ProviderResult[], options: { maxQueued?: number } = {}) {
  const clock = createFixedClock();
  const sessions = createMemorySessionRepository();
  const now = clock.now();
  await sessions.create({
    id: 's1' as SessionId,
    userId: user,
    deviceName: 'Phone',
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + 3_600_000),
  });
  await sessions.setPush(user, 's1' as SessionId, registration);
  const tries: number[] = [];
  const counted: [PushProviderName, PushOutcome][] = [];
  const dispatcher = createPushDispatcher({
    providers: {
      fcm: {
        name: 'fcm',
        async send() {
          tries.push(clock.now().getTime() - now.getTime());
          return answers.shift() ?? { outcome: 'sent' };
        },
      },
    },
    sessions,
    clock,
    metrics: { pushed: (provider, outcome) => counted.push([provider, outcome]) },
    ...options,
  });
  const advance = async (ms: number) => {
    clock.advance(ms);
    await vi.advanceTimersByTimeAsync(ms);
  };
  return { dispatcher, sessions, tries, counted, advance, clock };
}

const sync: PushMessage = { type: 'sync', seq: 1, badge: 0 };

describe('push dispatcher', () => {
  it('offers only the kinds it has a provider for', async () => {
    const { dispatcher } = await setup([]);
    expect([...dispatcher.kinds]).toEqual(['fcm']);
  });

  it("retries after the provider's Retry-After, else with doubling back-off", async () => {
    const { dispatcher, tries, counted, advance } = await setup([
      { outcome: 'retry', retryAfterMs: 7000, detail: '429' },
      { outcome: 'retry', retryAfterMs: null, detail: '503' },
    ]);
    dispatcher.send([delivery(sync)]);
    await advance(0);
    await advance(7000);
    await advance(2000);
    await dispatcher.idle();
    expect(tries).toEqual([0, 7000, 9000]);
    expect(counted.map(([, outcome]) => outcome)).toEqual(['retried', 'retried', 'sent']);
  });

  it('never retries a call push past its ring deadline', async () => {
    const { dispatcher, clock, tries, counted, advance } = await setup([
      { outcome: 'retry', retryAfterMs: 30_000, detail: '429' },
    ]);
    const call: PushMessage = {
      type: 'call',
      callId: 'c' as CallId,
      from: 'u2' as UserId,
      fromDisplayName: 'A',
      media: 'audio',
      deadline: new Date(clock.now().getTime() + 20_000),
    };
    dispatcher.send([delivery(call)]);
    await advance(60_000);
    expect(tries).toEqual([0]);
    expect(counted).toEqual([['fcm', 'failed']]);
  });

  it("deletes a registration the provider calls dead, only while it is the session's", async () => {
    const { dispatcher, sessions, counted, advance } = await setup([
      { outcome: 'gone', detail: 'UNREGISTERED' },
    ]);
    dispatcher.send([delivery(sync)]);
    await advance(0);
    await dispatcher.idle();
    expect((await sessions.findById('s1'))?.push).toBeUndefined();
    expect(counted).toEqual([['fcm', 'gone']]);
  });

  it('drops new pushes beyond the queue size, and takes none once closed', async () => {
    const { dispatcher, counted, tries, advance } = await setup([], { maxQueued: 2 });
    dispatcher.send([delivery(sync), delivery(sync), delivery(sync)]);
    await advance(0);
    await dispatcher.idle();
    expect(tries).toHaveLength(2);
    expect(counted.filter(([, o]) => o === 'dropped')).toHaveLength(1);
    await dispatcher.close();
    dispatcher.send([delivery(sync)]);
    expect(tries).toHaveLength(2);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });

  it('retries 429 and 5xx answers (after their Retry-After) and fails the rest', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(resultOfStatus(429, '3', now, 'HTTP 429')).toEqual({
      outcome: 'retry',
      retryAfterMs: 3000,
      detail: 'HTTP 429',
    });
    expect(resultOfStatus(503, ['7', '9'], now, 'HTTP 503')).toMatchObject({ retryAfterMs: 7000 });
    expect(resultOfStatus(500, undefined, now, 'HTTP 500')).toMatchObject({
      outcome: 'retry',
      retryAfterMs: null,
    });
    expect(resultOfStatus(400, '3', now, 'HTTP 400')).toEqual({
      outcome: 'failed',
      detail: 'HTTP 400',
    });
  });
});
