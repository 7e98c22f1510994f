import { describe, expect, it } from 'vitest';
import type {
  DeviceSession,
  PushRegistration,
  SessionId,
  SessionRepository,
  UserId,
} from '../../core/index.js';
import { createMemorySessionRepository } from '../memory/session-repository.js';
import { createLiveSessionCache } from './live-session-cache.js';
import { createMemorySessionEvents } from './local-session-events.js';

const alice = 'alice' as UserId;
const at = new Date('2026-12-01T10:00:00.000Z');

function sessionOf(id: string, lastSeenAt = at): DeviceSession {
  return {
    id: id as SessionId,
    userId: alice,
    deviceName: 'Phone',
    createdAt: at,
    lastSeenAt,
    expiresAt: new Date(at.getTime() + 86_400_000),
  };
}

/** Session events whose subscription the test cuts and restores. */
function switchableEvents() {
  const events = createMemorySessionEvents();
  const listeners = new Set<(listening: boolean) => void>();
  let listening = true;
  return {
    ...events,
    isListening: () => listening,
    onListeningChange(listener: (listening: boolean) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setListening(value: boolean) {
      listening = value;
      for (const listener of listeners) listener(value);
    },
  };
}

/**
 * The in-memory store, counting `findById` reads; `holdReads()` makes the
 * next read take its answer at once but return it only when released.
 */
function countingStore() {
  const store = createMemorySessionRepository();
  let reads = 0;
  let hold: Promise<void> | null = null;
  const counted: SessionRepository = {
    ...store,
    async findById(id) {
      reads++;
      const found = await store.findById(id);
      if (hold !== null) await hold;
      return found;
    },
  };
  return {
    store,
    counted,
    reads: () => reads,
    holdReads() {
      let release!: () => void;
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        hold = null;
        release();
      };
    },
  };
}

function setUp(options: { maxAgeMs?: number; maxEntries?: number } = {}) {
  const backing = countingStore();
  const events = switchableEvents();
  let clock = 0;
  const cache = createLiveSessionCache(backing.counted, {
    events,
    maxAgeMs: options.maxAgeMs ?? 3000,
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    now: () => clock,
  });
  return {
    ...backing,
    events,
    cache,
    advance(ms: number) {
      clock += ms;
    },
  };
}

const webPush: PushRegistration = {
  kind: 'webpush',
  endpoint: 'https://push.example/one',
  keys: { p256dh: 'p', auth: 'a' },
};

describe('the live session cache', () => {
  it('answers a session read within its age bound without the store', async () => {
    const { store, cache, reads } = setUp();
    await store.create(sessionOf('s1'));
    expect(await cache.findById('s1')).toEqual(sessionOf('s1'));
    expect(await cache.findById('s1')).toEqual(sessionOf('s1'));
    expect(reads()).toBe(1);
  });

  it('reads the store again once the entry is as old as the bound', async () => {
    const { store, cache, reads, advance } = setUp({ maxAgeMs: 3000 });
    await store.create(sessionOf('s1'));
    await cache.findById('s1');
    advance(2999);
    await cache.findById('s1');
    expect(reads()).toBe(1);
    advance(1);
    await store.delete(alice, 's1');
    expect(await cache.findById('s1')).toBeNull();
    expect(reads()).toBe(2);
  });

  it('refuses a session ended through it at once', async () => {
    const { store, cache } = setUp();
    await store.create(sessionOf('s1'));
    await store.create(sessionOf('s2'));
    await store.create(sessionOf('s3'));
    for (const id of ['s1', 's2', 's3']) await cache.findById(id);
    expect(await cache.delete(alice, 's1')).toBe(true);
    expect(await cache.findById('s1')).toBeNull();
    expect(await cache.deleteAllExcept(alice, 's3' as SessionId)).toEqual(['s2']);
    expect(await cache.findById('s2')).toBeNull();
    expect(await cache.findById('s3')).not.toBeNull();
  });

  it('refuses a session another instance announced ended', async () => {
    const { store, cache, events } = setUp();
    await store.create(sessionOf('s1'));
    await cache.findById('s1');
    // Another instance deletes it and announces it.
    await store.delete(alice, 's1');
    events.deliver([{ userId: alice, sessionId: 's1' as SessionId }]);
    expect(await cache.findById('s1')).toBeNull();
  });

  it('does not keep a read that was in flight when the session was announced ended', async () => {
    const { store, cache, events, holdReads } = setUp();
    await store.create(sessionOf('s1'));
    const release = holdReads();
    const inFlight = cache.findById('s1');
    await store.delete(alice, 's1');
    events.deliver([{ userId: alice, sessionId: 's1' as SessionId }]);
    release();
    // The read took its answer before the end: the store answered the same.
    expect(await inFlight).not.toBeNull();
    expect(await cache.findById('s1')).toBeNull();
  });

  it('never caches a session announced before the store deleted it', async () => {
    const { store, cache, events } = setUp();
    await store.create(sessionOf('s1'));
    // An account deletion announces its sessions first, then deletes them.
    events.deliver([{ userId: alice, sessionId: 's1' as SessionId }]);
    expect(await cache.findById('s1')).not.toBeNull();
    await store.delete(alice, 's1');
    expect(await cache.findById('s1')).toBeNull();
  });

  it('reads the store on every call while announcements may be missed', async () => {
    const { store, cache, events, reads } = setUp();
    await store.create(sessionOf('s1'));
    await cache.findById('s1');
    events.setListening(false);
    await cache.findById('s1');
    await cache.findById('s1');
    expect(reads()).toBe(3);
  });

  it('forgets everything when the subscription is lost: an end missed meanwhile is refused', async () => {
    const { store, cache, events } = setUp();
    await store.create(sessionOf('s1'));
    await cache.findById('s1');
    events.setListening(false);
    await store.delete(alice, 's1'); // announced while this instance was not listening
    events.setListening(true);
    expect(await cache.findById('s1')).toBeNull();
  });

  it('does not keep a read that was in flight while the subscription was lost', async () => {
    const { store, cache, events, holdReads } = setUp();
    await store.create(sessionOf('s1'));
    const release = holdReads();
    const inFlight = cache.findById('s1');
    events.setListening(false);
    await store.delete(alice, 's1'); // missed
    events.setListening(true);
    release();
    expect(await inFlight).not.toBeNull();
    expect(await cache.findById('s1')).toBeNull();
  });

  it('caches again once listening resumes', async () => {
    const { store, cache, events, reads } = setUp();
    await store.create(sessionOf('s1'));
    events.setListening(false);
    await cache.findById('s1');
    events.setListening(true);
    await cache.findById('s1');
    await cache.findById('s1');
    expect(reads()).toBe(2);
  });

  it('keeps at most maxEntries sessions, dropping the oldest read', async () => {
    const { store, cache, reads } = setUp({ maxEntries: 2 });
    for (const id of ['s1', 's2', 's3']) {
      await store.create(sessionOf(id));
      await cache.findById(id);
    }
    expect(reads()).toBe(3);
    await cache.findById('s2');
    await cache.findById('s3');
    expect(reads()).toBe(3);
    await cache.findById('s1');
    expect(reads()).toBe(4);
  });

  it('does not cache an unknown session', async () => {
    const { cache, reads } = setUp();
    expect(await cache.findById('nope')).toBeNull();
    expect(await cache.findById('nope')).toBeNull();
    expect(reads()).toBe(2);
  });

  it('keeps the touched lastSeenAt, so the next request does not touch again', async () => {
    const { store, cache, reads } = setUp();
    await store.create(sessionOf('s1'));
    await cache.findById('s1');
    const later = new Date(at.getTime() + 60_000);
    await cache.touch('s1' as SessionId, later, 60_000);
    expect((await cache.findById('s1'))?.lastSeenAt).toEqual(later);
    expect((await store.findById('s1'))?.lastSeenAt).toEqual(later);
    expect(reads()).toBe(1);
  });

  it('reads a session again after its push registration changed through it', async () => {
    const { store, cache, reads } = setUp();
    await store.create(sessionOf('s1'));
    await store.create(sessionOf('s2'));
    await cache.findById('s1');
    await cache.setPush(alice, 's1' as SessionId, webPush);
    expect((await cache.findById('s1'))?.push).toEqual(webPush);
    // The address moves to s2 and leaves s1.
    await cache.findById('s1');
    await cache.setPush(alice, 's2' as SessionId, webPush);
    expect((await cache.findById('s1'))?.push).toBeUndefined();
    await cache.clearPush('s2' as SessionId, webPush);
    expect((await cache.findById('s2'))?.push).toBeUndefined();
    expect(reads()).toBe(4);
  });

  it('is the store itself when its age bound is 0', () => {
    const { counted, events } = setUp();
    expect(createLiveSessionCache(counted, { events, maxAgeMs: 0 })).toBe(counted);
  });
});
