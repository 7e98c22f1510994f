/**
 * @module The `PresenceSubscriptions` contract, run against every adapter:
 * per-connection sets that add up, the reverse index, the all-or-nothing cap,
 * unsubscribe and dropping a connection.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { PresenceSubscriber, PresenceSubscriptions, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const user = () => ids.newId() as UserId;

const byKey = (list: readonly PresenceSubscriber[]) =>
  [...list].sort((x, y) =>
    `${x.userId}:${x.connectionId}` < `${y.userId}:${y.connectionId}` ? -1 : 1,
  );

/**
 * Registers the contract for one adapter; `setup(cap)` gives an empty store
 * holding at most `cap` targets per connection.
 */
export function describePresenceSubscriptionsContract(
  name: string,
  setup: (cap: number) => Promise<PresenceSubscriptions> | PresenceSubscriptions,
): void {
  describe(`PresenceSubscriptions contract: ${name}`, () => {
    let subscriptions: PresenceSubscriptions;

    beforeEach(async () => {
      subscriptions = await setup(3);
    });

    it('adds targets per connection and lists each subscribed connection once', async () => {
      const [me, other, t1, t2] = [user(), user(), user(), user()];
      const phone = { userId: me, connectionId: 'phone' };
      const laptop = { userId: me, connectionId: 'laptop' };
      const elsewhere = { userId: other, connectionId: 'phone' };
      expect(await subscriptions.subscribersOf(t1)).toEqual([]);
      expect(await subscriptions.subscribe(phone, [t1])).toBe(true);
      expect(await subscriptions.subscribe(phone, [t1, t2, t1])).toBe(true);
      expect(await subscriptions.subscribe(laptop, [t1])).toBe(true);
      expect(await subscriptions.subscribe(elsewhere, [t2])).toBe(true);
      expect(byKey(await subscriptions.subscribersOf(t1))).toEqual(byKey([phone, laptop]));
      expect(byKey(await subscriptions.subscribersOf(t2))).toEqual(byKey([phone, elsewhere]));
      expect(await subscriptions.subscribersOf(user())).toEqual([]);
    });

    it('unsubscribes some targets of one connection only', async () => {
      const [me, t1, t2] = [user(), user(), user()];
      const phone = { userId: me, connectionId: 'phone' };
      const laptop = { userId: me, connectionId: 'laptop' };
      await subscriptions.subscribe(phone, [t1, t2]);
      await subscriptions.subscribe(laptop, [t1]);
      await subscriptions.unsubscribe(phone, [t1, user(), 'malformed' as UserId]);
      await subscriptions.unsubscribe({ userId: user(), connectionId: 'phone' }, [t2]);
      expect(await subscriptions.subscribersOf(t1)).toEqual([laptop]);
      expect(await subscriptions.subscribersOf(t2)).toEqual([phone]);
    });

    it('drops every subscription of a connection', async () => {
      const [me, t1, t2] = [user(), user(), user()];
      const phone = { userId: me, connectionId: 'phone' };
      const laptop = { userId: me, connectionId: 'laptop' };
      await subscriptions.subscribe(phone, [t1, t2]);
      await subscriptions.subscribe(laptop, [t2]);
      await subscriptions.dropConnection(phone);
      await subscriptions.dropConnection({ userId: me, connectionId: 'unknown' });
      expect(await subscriptions.subscribersOf(t1)).toEqual([]);
      expect(await subscriptions.subscribersOf(t2)).toEqual([laptop]);
      // A connection id can start over.
      expect(await subscriptions.subscribe(phone, [t1, t2, user()])).toBe(true);
    });

    it('holds at most the cap per connection, adding all or nothing', async () => {
      const me = user();
      const phone = { userId: me, connectionId: 'phone' };
      const [t1, t2, t3, t4] = [user(), user(), user(), user()];
      expect(await subscriptions.subscribe(phone, [t1, t2])).toBe(true);
      expect(await subscriptions.subscribe(phone, [t3, t4])).toBe(false);
      expect(await subscriptions.subscribersOf(t3)).toEqual([]);
      // Targets already held do not count twice.
      expect(await subscriptions.subscribe(phone, [t1, t2, t3])).toBe(true);
      expect(await subscriptions.subscribe(phone, [t4])).toBe(false);
      await subscriptions.unsubscribe(phone, [t1]);
      expect(await subscriptions.subscribe(phone, [t4])).toBe(true);
      // Another connection of the same user has its own budget.
      expect(
        await subscriptions.subscribe({ userId: me, connectionId: 'laptop' }, [t1, t2, t3]),
      ).toBe(true);
    });
  });
}
