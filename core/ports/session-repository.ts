/** @module The store of signed-in devices. */
import type { DeviceSession, PushRegistration, SessionId, UserId } from '../model.js';

/**
 * Sessions by id and by user. An ended session is deleted, so a session that
 * is found is live. Ids that are malformed for the store are treated as
 * unknown (never an error).
 */
export interface SessionRepository {
  /** Stores a new session; the user's sessions expired before its `createdAt` may be dropped. */
  create(session: DeviceSession): Promise<void>;
  /**
   * May be answered by a cache of recently read sessions that drops a
   * session as soon as its end is announced (SessionEvents), and bypasses
   * itself while announcements could be missed; an end that was never
   * announced is seen within the cache's age bound. What a found session
   * may lag on is what another instance changed without ending it:
   * `lastSeenAt` and `push` (read them through `listForUser` where they
   * matter).
   */
  findById(id: string): Promise<DeviceSession | null>;
  /** The user's sessions unexpired at `now`, most recently created first. */
  listForUser(userId: UserId, now: Date): Promise<DeviceSession[]>;
  /**
   * Sets `lastSeenAt` to `at` when it is older than `at - minIntervalMs`
   * (a skipped write is not an error). Never resurrects a deleted session.
   */
  touch(id: SessionId, at: Date, minIntervalMs: number): Promise<void>;
  /** Deletes the session if it is `userId`'s; true when this call deleted it. */
  delete(userId: UserId, id: string): Promise<boolean>;
  /** Deletes every session of `userId` but `keep`; the ids deleted. */
  deleteAllExcept(userId: UserId, keep: SessionId | null): Promise<SessionId[]>;
  /**
   * Sets (or, with null, removes) the push registration of `userId`'s session
   * `id`; false when there is no such session. A registration also leaves
   * every other session that held the same address (`pushAddressOf`): a
   * device's address belongs to its newest session only.
   */
  setPush(userId: UserId, id: SessionId, push: PushRegistration | null): Promise<boolean>;
  /**
   * Removes session `id`'s registration if it still has `push`'s address (a
   * provider said it is dead; one registered since is kept); true when removed.
   */
  clearPush(id: SessionId, push: PushRegistration): Promise<boolean>;
}
