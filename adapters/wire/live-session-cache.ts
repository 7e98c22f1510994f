/**
 * @module A `SessionRepository` that answers `findById` from the sessions it
 * read in the last `maxAgeMs`, so that on MongoDB an authenticated request
 * costs one round trip (the user) instead of two. It is meant to refuse an
 * ended session exactly when the store would:
 *
 * - An entry is dropped when a session ends through this decorator (`delete`,
 *   `deleteAllExcept`) and when any instance announces ended sessions
 *   (`events.onEnded`; with Redis, other instances' announcements arrive on
 *   the same listeners). An announced session is never cached again.
 * - A read that was in flight while sessions ended (or while listening
 *   changed) is returned but not kept: it may predate the end.
 * - Entries are used only while `events.isListening()`: announcements are at
 *   most once across instances, so when the subscription is lost the cache is
 *   emptied and bypassed until it is confirmed again.
 * - Every entry is dropped `maxAgeMs` after its read began, whatever happened,
 *   and at most `maxEntries` are kept (the oldest go first). Unknown ids are
 *   not cached.
 *
 * What a cached session may lag on is what another instance changed without
 * ending it: its `lastSeenAt` and push registration (see the port).
 */
import { type DeviceSession, pushAddressOf, type SessionRepository } from '../../core/index.js';
import type { LocalSessionEvents } from './local-session-events.js';

export interface LiveSessionCacheOptions {
  /** Ended sessions, and whether every announcement reaches this instance. */
  readonly events: Pick<LocalSessionEvents, 'onEnded' | 'isListening' | 'onListeningChange'>;
  /** How long an entry is used after its read began; 0 turns the cache off. */
  readonly maxAgeMs: number;
  /** Default 10 000. */
  readonly maxEntries?: number;
  /** Milliseconds of a monotonic clock; default `performance.now`. */
  readonly now?: () => number;
}

interface Entry {
  readonly session: DeviceSession;
  /** When the read that found it began. */
  readonly readAt: number;
}

export function createLiveSessionCache(
  sessions: SessionRepository,
  options: LiveSessionCacheOptions,
): SessionRepository {
  const { events, maxAgeMs } = options;
  if (maxAgeMs <= 0) return sessions;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? (() => performance.now());
  // Insertion order is read order: the first entry is the oldest, the next to expire.
  const entries = new Map<string, Entry>();
  // Sessions known to have ended: never cached again, even by a read that began
  // later (an account deletion announces its sessions before deleting them).
  const ended = new Set<string>();
  // Bumped on every end and every change of listening: a read that began
  // before the bump is not kept.
  let generation = 0;

  const forget = (ids: readonly string[]) => {
    generation++;
    for (const id of ids) {
      entries.delete(id);
      ended.add(id);
      if (ended.size > maxEntries) ended.delete(ended.values().next().value as string);
    }
  };
  events.onEnded((list) => forget(list.map((s) => s.sessionId)));
  events.onListeningChange(() => {
    generation++;
    entries.clear();
  });
  const keep = (id: string, session: DeviceSession, readAt: number) => {
    entries.delete(id);
    entries.set(id, { session, readAt });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };
  const replace = (id: string, change: (session: DeviceSession) => DeviceSession) => {
    const entry = entries.get(id);
    if (entry !== undefined) entries.set(id, { ...entry, session: change(entry.session) });
  };

  return {
    create: (session) => sessions.create(session),
    listForUser: (userId, at) => sessions.listForUser(userId, at),
    async findById(id) {
      const startedAt = now();
      // Entries exist only while listening: all are dropped when it stops, none kept until it resumes.
      const entry = entries.get(id);
      if (entry !== undefined) {
        if (startedAt - entry.readAt < maxAgeMs) return { ...entry.session };
        entries.delete(id);
      }
      const startGeneration = generation;
      const listening = events.isListening();
      const session = await sessions.findById(id);
      if (session !== null && listening && startGeneration === generation && !ended.has(id)) {
        keep(id, { ...session }, startedAt);
      }
      return session;
    },
    async touch(id, at, minIntervalMs) {
      await sessions.touch(id, at, minIntervalMs);
      // As the store did (or another touch did): so the next hit does not touch again.
      replace(id, (session) =>
        session.lastSeenAt.getTime() <= at.getTime() - minIntervalMs
          ? { ...session, lastSeenAt: at }
          : session,
      );
    },
    async delete(userId, id) {
      const deleted = await sessions.delete(userId, id);
      if (deleted) forget([id]);
      return deleted;
    },
    async deleteAllExcept(userId, keepId) {
      const deleted = await sessions.deleteAllExcept(userId, keepId);
      forget(deleted);
      return deleted;
    },
    async setPush(userId, id, push) {
      const set = await sessions.setPush(userId, id, push);
      // The address also left every other session that held it.
      const address = push === null ? null : pushAddressOf(push);
      for (const [cachedId, entry] of entries) {
        const held = entry.session.push;
        if (cachedId === id || (held !== undefined && pushAddressOf(held) === address)) {
          entries.delete(cachedId);
        }
      }
      return set;
    },
    async clearPush(id, push) {
      const cleared = await sessions.clearPush(id, push);
      entries.delete(id);
      return cleared;
    },
  };
}
