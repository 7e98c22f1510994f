/**
 * @module The `SessionRepository` contract, run against every adapter:
 * lookups, listing newest first without expired sessions, deletes owned by
 * the user, `deleteAllExcept`, a `touch` that never resurrects, malformed ids,
 * push registrations (one session per device address, removed with the session).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type {
  DeviceSession,
  PushRegistration,
  SessionId,
  SessionRepository,
  UserId,
} from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function newSession(userId: UserId, overrides: Partial<DeviceSession> = {}): DeviceSession {
  return {
    id: ids.newId() as SessionId,
    userId,
    deviceName: 'Pixel 8',
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: at(3600_000),
    ...overrides,
  };
}

/** Registers the session repository contract for one adapter; `setup` gives an empty repository. */
export function describeSessionRepositoryContract(
  name: string,
  setup: () => Promise<SessionRepository> | SessionRepository,
): void {
  describe(`SessionRepository contract: ${name}`, () => {
    let sessions: SessionRepository;
    let alice: UserId;
    let bob: UserId;

    beforeEach(async () => {
      sessions = await setup();
      alice = ids.newId() as UserId;
      bob = ids.newId() as UserId;
    });

    it('stores a session and finds it by id', async () => {
      const session = newSession(alice, { deviceName: 'Laptop 😀' });
      await sessions.create(session);
      expect(await sessions.findById(session.id)).toEqual(session);
    });

    it("lists a user's unexpired sessions, newest first, and no one else's", async () => {
      const older = newSession(alice);
      const newer = newSession(alice, { createdAt: at(1000), lastSeenAt: at(1000) });
      const expired = newSession(alice, { expiresAt: at(500) });
      await sessions.create(expired);
      await sessions.create(older);
      await sessions.create(newer);
      await sessions.create(newSession(bob));
      expect(await sessions.listForUser(alice, at(2000))).toEqual([newer, older]);
      expect(await sessions.listForUser(ids.newId() as UserId, at(0))).toEqual([]);
    });

    it('treats unknown and malformed ids as unknown', async () => {
      await sessions.create(newSession(alice));
      for (const id of ['', 'nope', ids.newId(), 'x'.repeat(500), '{"$gt":""}']) {
        expect(await sessions.findById(id)).toBeNull();
        expect(await sessions.delete(alice, id)).toBe(false);
      }
    });

    it("deletes only the user's own session, once", async () => {
      const session = newSession(alice);
      await sessions.create(session);
      expect(await sessions.delete(bob, session.id)).toBe(false);
      expect(await sessions.findById(session.id)).toEqual(session);
      expect(await sessions.delete(alice, session.id)).toBe(true);
      expect(await sessions.delete(alice, session.id)).toBe(false);
      expect(await sessions.findById(session.id)).toBeNull();
    });

    it('deletes every session of the user but one and names them', async () => {
      const keep = newSession(alice);
      const others = [newSession(alice), newSession(alice)];
      const bobs = newSession(bob);
      for (const s of [keep, ...others, bobs]) await sessions.create(s);
      const ended = await sessions.deleteAllExcept(alice, keep.id);
      expect([...ended].sort()).toEqual(others.map((s) => s.id).sort());
      expect(await sessions.listForUser(alice, T0)).toEqual([keep]);
      expect(await sessions.findById(bobs.id)).toEqual(bobs);
      expect(await sessions.deleteAllExcept(alice, null)).toEqual([keep.id]);
    });

    it('moves lastSeenAt only when it is older than the interval, and never resurrects', async () => {
      const session = newSession(alice);
      await sessions.create(session);
      await sessions.touch(session.id, at(59_999), 60_000);
      expect((await sessions.findById(session.id))?.lastSeenAt).toEqual(T0);
      await sessions.touch(session.id, at(60_000), 60_000);
      expect((await sessions.findById(session.id))?.lastSeenAt).toEqual(at(60_000));
      await sessions.delete(alice, session.id);
      await sessions.touch(session.id, at(999_999), 60_000);
      expect(await sessions.findById(session.id)).toBeNull();
    });

    const webPush: PushRegistration = {
      kind: 'webpush',
      endpoint: 'https://push.example.net/send/abc',
      keys: { p256dh: 'BPk', auth: 'c2VjcmV0' },
    };
    const apns: PushRegistration = {
      kind: 'apns',
      token: 'ab'.repeat(32),
      voipToken: null,
      environment: 'sandbox',
    };

    it("sets, replaces and removes a session's push registration, only for its owner", async () => {
      const session = newSession(alice);
      await sessions.create(session);
      expect(await sessions.setPush(bob, session.id, webPush)).toBe(false);
      expect((await sessions.findById(session.id))?.push).toBeUndefined();
      expect(await sessions.setPush(alice, session.id, webPush)).toBe(true);
      expect((await sessions.findById(session.id))?.push).toEqual(webPush);
      expect(await sessions.setPush(alice, session.id, apns)).toBe(true);
      expect(await sessions.listForUser(alice, T0)).toEqual([{ ...session, push: apns }]);
      expect(await sessions.setPush(alice, session.id, null)).toBe(true);
      expect(await sessions.findById(session.id)).toEqual(session);
      expect(await sessions.setPush(alice, ids.newId() as SessionId, apns)).toBe(false);
      expect(await sessions.setPush(alice, 'x'.repeat(500) as SessionId, apns)).toBe(false);
    });

    it("gives a device's address to its newest session only, whoever held it", async () => {
      const old = newSession(alice);
      const bobs = newSession(bob);
      await sessions.create(old);
      await sessions.create(bobs);
      await sessions.setPush(alice, old.id, webPush);
      await sessions.setPush(bob, bobs.id, { ...webPush, keys: { p256dh: 'BQx', auth: 'eA' } });
      expect((await sessions.findById(old.id))?.push).toBeUndefined();
      expect((await sessions.findById(bobs.id))?.push?.kind).toBe('webpush');
    });

    it('clears a dead registration only while the session still has that address', async () => {
      const session = newSession(alice);
      await sessions.create(session);
      await sessions.setPush(alice, session.id, webPush);
      expect(await sessions.clearPush(session.id, apns)).toBe(false);
      expect(await sessions.clearPush(session.id, webPush)).toBe(true);
      expect(await sessions.clearPush(session.id, webPush)).toBe(false);
      expect(await sessions.findById(session.id)).toEqual(session);
    });

    it('forgets the registration with the session', async () => {
      const session = newSession(alice);
      await sessions.create(session);
      await sessions.setPush(alice, session.id, apns);
      await sessions.delete(alice, session.id);
      const next = newSession(alice);
      await sessions.create(next);
      // The address is free again: nothing of the ended session is left to take it from.
      expect(await sessions.setPush(alice, next.id, apns)).toBe(true);
      expect(await sessions.clearPush(session.id, apns)).toBe(false);
      expect((await sessions.findById(next.id))?.push).toEqual(apns);
    });
  });
}
