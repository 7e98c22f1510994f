import { describe, expect, it } from 'vitest';
import type { DeviceSession, SessionId, UserId } from '../../core/index.js';
import { createMemorySessionRepository } from './session-repository.js';

// The port's guarantees are covered by the shared contract suite; this covers
// what only the memory adapter does: dropping expired sessions as new ones come.
const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const T0 = new Date('2026-05-01T10:00:00.000Z').getTime();
const HOUR = 3600_000;
let counter = 0;

/** A session created at `T0 + createdMs` that lives an hour, as every session does. */
function sessionAt(createdMs: number): DeviceSession {
  counter += 1;
  const createdAt = new Date(T0 + createdMs);
  return {
    id: `75a1b2c3d4e5f60718${String(counter).padStart(6, '0')}` as SessionId,
    userId: alice,
    deviceName: 'Pixel 8',
    createdAt,
    lastSeenAt: createdAt,
    expiresAt: new Date(T0 + createdMs + HOUR),
  };
}

describe('memory session repository', () => {
  it("drops the user's sessions that expired before a new one is created, and keeps the live ones", async () => {
    const sessions = createMemorySessionRepository();
    const expired = [sessionAt(0), sessionAt(1000)];
    const live = [sessionAt(2 * HOUR), sessionAt(2 * HOUR + 1000)];
    for (const session of [...expired, ...live]) await sessions.create(session);
    await sessions.create(sessionAt(HOUR + 1500));

    for (const session of expired) expect(await sessions.findById(session.id)).toBeNull();
    for (const session of live) expect(await sessions.findById(session.id)).toEqual(session);
  });
});
