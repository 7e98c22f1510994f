/**
 * @module The `UserRepository` contract, run against every adapter: lookups by
 * id, phone and username, uniqueness (phone first, username without regard to
 * case, any number of users without one) including under concurrency,
 * malformed ids treated as unknown, and deletion (pending until finished).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { User, UserId, UserRepository } from '../../core/index.js';

const ids = createObjectIdGenerator();
let phoneSeq = 0;

// A fresh user with a unique id and phone; no username unless given.
function newUser(overrides: Partial<User> = {}): User {
  phoneSeq++;
  const unique = `${String(Date.now() % 1e5).padStart(5, '0')}${String(phoneSeq).padStart(4, '0')}`;
  return {
    id: ids.newId() as UserId,
    phoneNumber: `+1555${unique}`,
    username: null,
    displayName: `User ${phoneSeq}`,
    passwordHash: `hash-${phoneSeq}`,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    lastSeen: null,
    readReceipts: true,
    typingIndicators: true,
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** Registers the user repository contract for one adapter; `setup` gives an empty repository. */
export function describeUserRepositoryContract(
  name: string,
  setup: () => Promise<UserRepository> | UserRepository,
): void {
  describe(`UserRepository contract: ${name}`, () => {
    let users: UserRepository;

    beforeEach(async () => {
      users = await setup();
    });

    it('stores a user and finds it by id, phone and username', async () => {
      const user = newUser({ username: 'Alice.Smith', lastSeen: new Date('2026-01-03T00:00:00Z') });
      expect(await users.create(user)).toEqual(user);
      expect(await users.findById(user.id)).toEqual(user);
      expect(await users.findByPhoneNumber(user.phoneNumber)).toEqual(user);
      expect(await users.findByUsername('Alice.Smith')).toEqual(user);
    });

    it('keeps a user without username as null', async () => {
      const user = newUser();
      await users.create(user);
      const found = await users.findById(user.id);
      expect(found?.username).toBeNull();
      expect(found?.lastSeen).toBeNull();
      expect(found?.createdAt).toEqual(user.createdAt);
    });

    it('replaces the password hash of a known user only', async () => {
      const user = newUser();
      await users.create(user);
      expect(await users.setPasswordHash(user.id, 'new-hash')).toBe(true);
      expect(await users.findById(user.id)).toEqual({ ...user, passwordHash: 'new-hash' });
      expect(await users.setPasswordHash(ids.newId() as UserId, 'x')).toBe(false);
      expect(await users.setPasswordHash('malformed' as UserId, 'x')).toBe(false);
    });

    it('treats unknown and malformed ids as unknown', async () => {
      const user = newUser();
      await users.create(user);
      expect(await users.findById(ids.newId())).toBeNull();
      for (const bad of ['', 'nope', '123', 'z'.repeat(24), `${user.id}0`, user.id.slice(1)]) {
        expect(await users.findById(bad)).toBeNull();
      }
      expect(await users.findByPhoneNumber('+19999999999')).toBeNull();
      expect(await users.findByUsername('nobody_here')).toBeNull();
    });

    it('finds known users among ids, leaving out unknown, malformed and repeated ids', async () => {
      const a = newUser();
      const b = newUser();
      await users.create(a);
      await users.create(b);
      const found = await users.findByIds([a.id, 'garbage', ids.newId(), b.id, a.id, '']);
      expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
      expect(await users.findByIds([])).toEqual([]);
      expect(await users.findByIds(['x', 'y'])).toEqual([]);
    });

    it('finds known users among phone numbers, each once', async () => {
      const a = newUser();
      const b = newUser();
      await users.create(a);
      await users.create(b);
      const found = await users.findByPhoneNumbers([
        b.phoneNumber,
        '+10000000000',
        a.phoneNumber,
        b.phoneNumber,
      ]);
      expect(found.map((u) => u.id).sort()).toEqual([a.id, b.id].sort());
      expect(await users.findByPhoneNumbers([])).toEqual([]);
    });

    it('rejects a registered phone with PHONE_TAKEN and stores nothing', async () => {
      const first = newUser();
      await users.create(first);
      const second = newUser({ phoneNumber: first.phoneNumber, username: 'second' });
      expect(await codeOf(users.create(second))).toBe('PHONE_TAKEN');
      expect(await users.findById(second.id)).toBeNull();
      expect(await users.findByUsername('second')).toBeNull();
    });

    it('treats usernames as unique without regard to case, stored as given', async () => {
      const first = newUser({ username: 'MixedCase_1' });
      await users.create(first);
      expect(await users.findByUsername('mixedcase_1')).toEqual(first);
      expect(await users.findByUsername('MIXEDCASE_1')).toEqual(first);
      expect((await users.findByUsername('mixedCASE_1'))?.username).toBe('MixedCase_1');
      const second = newUser({ username: 'mixedcase_1' });
      expect(await codeOf(users.create(second))).toBe('USERNAME_TAKEN');
      expect(await users.findById(second.id)).toBeNull();
      // The failed attempt did not take its phone number.
      expect(await codeOf(users.create({ ...second, username: 'other_name' }))).toBe('OK');
    });

    it('answers PHONE_TAKEN before USERNAME_TAKEN when both collide', async () => {
      const first = newUser({ username: 'both_taken' });
      await users.create(first);
      const clash = newUser({ phoneNumber: first.phoneNumber, username: 'BOTH_TAKEN' });
      expect(await codeOf(users.create(clash))).toBe('PHONE_TAKEN');
    });

    it('lets any number of users have no username', async () => {
      const many = Array.from({ length: 12 }, () => newUser());
      for (const user of many) await users.create(user);
      const found = await users.findByIds(many.map((u) => u.id));
      expect(found).toHaveLength(12);
      expect(found.every((u) => u.username === null)).toBe(true);
      // A username that is not one cannot reach the users without one.
      expect(await users.findByUsername(`#${many[0]!.id}`)).toBeNull();
      expect(await users.findByUsername('')).toBeNull();
    });

    it('lets exactly one of many concurrent registrations of one phone succeed', async () => {
      const phone = newUser().phoneNumber;
      const attempts = Array.from({ length: 20 }, (_, i) =>
        newUser({ phoneNumber: phone, username: `racer_${i}` }),
      );
      const codes = await Promise.all(attempts.map((user) => codeOf(users.create(user))));
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c === 'PHONE_TAKEN')).toHaveLength(19);
      const winner = attempts[codes.indexOf('OK')]!;
      expect((await users.findByPhoneNumber(phone))?.id).toBe(winner.id);
      expect(await users.findByIds(attempts.map((u) => u.id))).toHaveLength(1);
    });

    it('lets exactly one of many concurrent registrations of one username succeed', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        newUser({ username: i % 2 === 0 ? 'Contested' : 'contested' }),
      );
      const codes = await Promise.all(attempts.map((user) => codeOf(users.create(user))));
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c === 'USERNAME_TAKEN')).toHaveLength(19);
      const winner = attempts[codes.indexOf('OK')]!;
      expect((await users.findByUsername('CONTESTED'))?.id).toBe(winner.id);
    });

    it('updates display name and settings, leaving absent fields alone', async () => {
      const user = newUser({ username: 'keep_me' });
      await users.create(user);
      const updated = await users.update(user.id, { displayName: 'New Name', readReceipts: false });
      const expected = { ...user, displayName: 'New Name', readReceipts: false };
      expect(updated).toEqual(expected);
      expect(await users.findById(user.id)).toEqual(expected);
      expect(await users.update(user.id, {})).toEqual(expected);
      expect(await users.update(user.id, { typingIndicators: false })).toEqual({
        ...expected,
        typingIndicators: false,
      });
    });

    it('moves a username: the old one is free, the new one is found in any case', async () => {
      const user = newUser({ username: 'old_name' });
      await users.create(user);
      expect((await users.update(user.id, { username: 'New.Name' }))?.username).toBe('New.Name');
      expect(await users.findByUsername('old_name')).toBeNull();
      expect((await users.findByUsername('new.name'))?.id).toBe(user.id);
      expect(await codeOf(users.create(newUser({ username: 'OLD_NAME' })))).toBe('OK');
      // Its own username in another case is not taken.
      expect((await users.update(user.id, { username: 'NEW.NAME' }))?.username).toBe('NEW.NAME');
    });

    it('clears a username with null, freeing it', async () => {
      const user = newUser({ username: 'to_clear' });
      await users.create(user);
      expect((await users.update(user.id, { username: null }))?.username).toBeNull();
      expect(await users.findByUsername('to_clear')).toBeNull();
      expect(await codeOf(users.create(newUser({ username: 'to_clear' })))).toBe('OK');
      // Clearing twice, and two users without one, are fine.
      expect((await users.update(user.id, { username: null }))?.username).toBeNull();
    });

    it('refuses a username another user holds in any case, changing nothing', async () => {
      const holder = newUser({ username: 'Holder' });
      const other = newUser({ username: 'other_one' });
      await users.create(holder);
      await users.create(other);
      expect(await codeOf(users.update(other.id, { username: 'holder', displayName: 'X' }))).toBe(
        'USERNAME_TAKEN',
      );
      expect(await users.findById(other.id)).toEqual(other);
      expect((await users.findByUsername('other_one'))?.id).toBe(other.id);
    });

    it('answers null for unknown and malformed ids', async () => {
      expect(await users.update(ids.newId() as UserId, { displayName: 'X' })).toBeNull();
      expect(await users.update('malformed' as UserId, { displayName: 'X' })).toBeNull();
    });

    it('gives a username contested by concurrent updates to exactly one user', async () => {
      const racers = Array.from({ length: 10 }, () => newUser());
      for (const user of racers) await users.create(user);
      const codes = await Promise.all(
        racers.map((user, i) =>
          codeOf(users.update(user.id, { username: i % 2 === 0 ? 'Prize' : 'prize' })),
        ),
      );
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c === 'USERNAME_TAKEN')).toHaveLength(9);
      const winner = racers[codes.indexOf('OK')]!;
      expect((await users.findByUsername('PRIZE'))?.id).toBe(winner.id);
    });

    it('stores lastSeen, and ignores unknown users', async () => {
      const user = newUser();
      await users.create(user);
      const at = new Date('2026-05-06T07:08:09.123Z');
      await users.setLastSeen(user.id, at);
      expect((await users.findById(user.id))?.lastSeen).toEqual(at);
      await users.setLastSeen(ids.newId() as UserId, at);
      await users.setLastSeen('malformed' as UserId, at);
      expect(await users.findByIds([user.id])).toHaveLength(1);
    });

    it('deletes a user: found by no read, phone and username free, the deletion pending until finished', async () => {
      const alice = newUser({ username: 'Alice_D' });
      const bob = newUser();
      await users.create(alice);
      await users.create(bob);
      const at = new Date('2026-05-06T07:08:09.123Z');
      expect(await users.delete(alice.id, at)).toBe(true);
      expect(await users.findById(alice.id)).toBeNull();
      expect(await users.findByIds([alice.id, bob.id])).toEqual([bob]);
      expect(await users.findByPhoneNumber(alice.phoneNumber)).toBeNull();
      expect(await users.findByPhoneNumbers([alice.phoneNumber])).toEqual([]);
      expect(await users.findByUsername('alice_d')).toBeNull();
      expect(await users.setPasswordHash(alice.id, 'new')).toBe(false);
      expect(await users.update(alice.id, { displayName: 'Back' })).toBeNull();
      await users.setLastSeen(alice.id, at);
      expect(await users.findById(alice.id)).toBeNull();
      expect(await users.pendingDeletions(10)).toEqual([alice.id]);

      // Again (a retry, the sweep): harmless; still one pending record.
      expect(await users.delete(alice.id, new Date(at.getTime() + 1))).toBe(false);
      expect(await users.pendingDeletions(10)).toEqual([alice.id]);

      const successor = newUser({ phoneNumber: alice.phoneNumber, username: 'ALICE_d' });
      await users.create(successor);
      expect((await users.findByPhoneNumber(alice.phoneNumber))?.id).toBe(successor.id);

      await users.finishDeletion(alice.id);
      await users.finishDeletion(alice.id);
      expect(await users.pendingDeletions(10)).toEqual([]);
      // Finishing never touches the successor who took the number and the name.
      expect((await users.findByUsername('alice_d'))?.id).toBe(successor.id);
      expect(await users.findById(bob.id)).toEqual(bob);
    });

    it('lists pending deletions oldest first, up to the limit; ignores malformed and unknown ids', async () => {
      const [a, b, c] = [newUser(), newUser(), newUser()];
      for (const user of [a, b, c]) await users.create(user);
      await users.delete(b.id, new Date('2026-01-01T00:00:02Z'));
      await users.delete(a.id, new Date('2026-01-01T00:00:03Z'));
      await users.delete(c.id, new Date('2026-01-01T00:00:01Z'));
      expect(await users.pendingDeletions(2)).toEqual([c.id, b.id]);
      expect(await users.delete('malformed' as UserId, new Date())).toBe(false);
      await users.finishDeletion('malformed' as UserId);
      expect(await users.pendingDeletions(10)).toEqual([c.id, b.id, a.id]);
    });

    it('keeps a deleted user deleted when lastSeen and updates race the deletion', async () => {
      const victims = Array.from({ length: 10 }, () => newUser());
      for (const user of victims) await users.create(user);
      await Promise.all(
        victims.flatMap((user) => [
          users.setLastSeen(user.id, new Date()),
          users.update(user.id, { displayName: 'Racing' }),
          users.delete(user.id, new Date()),
          users.setLastSeen(user.id, new Date()),
        ]),
      );
      for (const user of victims) {
        await users.finishDeletion(user.id);
        expect(await users.findById(user.id)).toBeNull();
        expect(await users.findByPhoneNumber(user.phoneNumber)).toBeNull();
      }
      expect(await users.pendingDeletions(100)).toEqual([]);
    });
  });
}
