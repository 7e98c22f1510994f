/**
 * @module The `PresenceStore` contract, run against every adapter: statuses
 * combined per user, each change reporting the combined status before and
 * after it, updates never reviving a closed connection, and concurrent
 * changes of one user whose transitions chain up.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { PresenceStore, PresenceTransition, UserId } from '../../core/index.js';

const ids = createObjectIdGenerator();
const user = () => ids.newId() as UserId;

/** Registers the presence store contract for one adapter; `setup` gives an empty one. */
export function describePresenceStoreContract(
  name: string,
  setup: () => Promise<PresenceStore> | PresenceStore,
): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let presence: PresenceStore;

    beforeEach(async () => {
      presence = await setup();
    });

    const statusOf = async (userId: UserId) => (await presence.statusOf([userId])).get(userId);

    it('reports users without connections as offline', async () => {
      const [a, b] = [user(), user()];
      expect(await presence.statusOf([a, b])).toEqual(
        new Map([
          [a, 'offline'],
          [b, 'offline'],
        ]),
      );
    });

    it('combines connections (any active → active, else idle) and reports each transition', async () => {
      const a = user();
      expect(await presence.setConnectionStatus(a, 'c1', 'idle')).toEqual({
        before: 'offline',
        after: 'idle',
      });
      expect(await presence.setConnectionStatus(a, 'c2', 'active')).toEqual({
        before: 'idle',
        after: 'active',
      });
      expect(await presence.setConnectionStatus(a, 'c2', 'active')).toEqual({
        before: 'active',
        after: 'active',
      });
      expect(await presence.updateConnectionStatus(a, 'c2', 'idle')).toEqual({
        before: 'active',
        after: 'idle',
      });
      expect(await presence.updateConnectionStatus(a, 'c1', 'active')).toEqual({
        before: 'idle',
        after: 'active',
      });
      expect(await presence.removeConnection(a, 'c1')).toEqual({ before: 'active', after: 'idle' });
      expect(await statusOf(a)).toBe('idle');
      expect(await presence.removeConnection(a, 'c2')).toEqual({
        before: 'idle',
        after: 'offline',
      });
      expect(await statusOf(a)).toBe('offline');
    });

    it('keeps users apart', async () => {
      const [a, b] = [user(), user()];
      await presence.setConnectionStatus(a, 'same-id', 'active');
      expect(await presence.setConnectionStatus(b, 'same-id', 'idle')).toEqual({
        before: 'offline',
        after: 'idle',
      });
      expect(await presence.removeConnection(b, 'same-id')).toEqual({
        before: 'idle',
        after: 'offline',
      });
      expect(await statusOf(a)).toBe('active');
    });

    it('never revives a removed or unknown connection through an update', async () => {
      const a = user();
      await presence.setConnectionStatus(a, 'c1', 'active');
      await presence.removeConnection(a, 'c1');
      expect(await presence.updateConnectionStatus(a, 'c1', 'active')).toBeNull();
      expect(await presence.updateConnectionStatus(a, 'never', 'idle')).toBeNull();
      expect(await statusOf(a)).toBe('offline');
      expect(await presence.removeConnection(a, 'c1')).toEqual({
        before: 'offline',
        after: 'offline',
      });
    });

    it('chains the transitions of concurrent changes of one user', async () => {
      const a = user();
      const connections = Array.from({ length: 20 }, (_, i) => `c${i}`);
      const opened = await Promise.all(
        connections.map((c, i) => presence.setConnectionStatus(a, c, i % 2 ? 'idle' : 'active')),
      );
      expect(countChanges(opened, 'offline')).toBe(1);
      const closed = await Promise.all(connections.map((c) => presence.removeConnection(a, c)));
      expect(closed.filter((t) => t.after === 'offline' && t.before !== 'offline')).toHaveLength(1);
      expect(await statusOf(a)).toBe('offline');
    });
  });
}

// Changes out of `from`: exactly one transition may leave the starting status.
function countChanges(transitions: readonly PresenceTransition[], from: string): number {
  return transitions.filter((t) => t.before === from && t.after !== from).length;
}
