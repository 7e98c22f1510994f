import { describe, expect, it } from 'vitest';
import { createMemoryUserRepository } from '../../../adapters/memory/user-repository.js';
import { createPresenceWorld } from '../../../test/support/presence.js';
import type { UserRepository } from '../../index.js';

describe('presenceConnectionClosed', () => {
  it('pushes offline with lastSeen = now when the last connection closes, and stores it', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    w.clear();
    w.clock.advance(5000);
    await w.close(w.alice, 'a1');
    expect(w.pushes()).toEqual([]);
    w.clock.advance(5000);
    await w.close(w.alice, 'a2');
    const lastSeen = w.clock.now();
    expect(w.pushes()).toEqual([{ to: w.bob.id, about: w.alice.id, status: 'offline', lastSeen }]);
    expect((await w.deps.users.findById(w.alice.id))?.lastSeen).toEqual(lastSeen);
    expect((await w.deps.presence.statusOf([w.alice.id])).get(w.alice.id)).toBe('offline');
  });

  it('pushes idle when the last active connection closes and an idle one is left', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    await w.set(w.alice, 'a2', 'idle');
    w.clear();
    await w.close(w.alice, 'a1');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'idle', lastSeen: null },
    ]);
  });

  it('changes nothing for an unknown or already closed connection', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.close(w.alice, 'a1');
    const stored = (await w.deps.users.findById(w.alice.id))?.lastSeen;
    w.clear();
    w.clock.advance(1000);
    await w.close(w.alice, 'a1');
    await w.close(w.bob, 'never-opened');
    expect(w.pushes()).toEqual([]);
    expect((await w.deps.users.findById(w.alice.id))?.lastSeen).toEqual(stored);
    expect((await w.deps.users.findById(w.bob.id))?.lastSeen).toBeNull();
  });

  it('pushes offline once when every connection closes at the same time', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    w.clear();
    await Promise.all([w.close(w.alice, 'a1'), w.close(w.alice, 'a2')]);
    expect(w.pushes().map((p) => p.status)).toEqual(['offline']);
  });

  it('keeps pushes in the order of the changes while lastSeen is being stored', async () => {
    // setLastSeen waits until released, so the offline push would leave after
    // a later reconnect's push if changes of one user were not serialized.
    const users = createMemoryUserRepository();
    let release = () => {};
    const slowUsers: UserRepository = {
      ...users,
      setLastSeen: async (id, at) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await users.setLastSeen(id, at);
      },
    };
    const w = await createPresenceWorld({ users: slowUsers });
    await w.open(w.alice, 'a1');
    w.clear();
    const closing = w.close(w.alice, 'a1');
    const reopening = w.open(w.alice, 'a2');
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(w.pushes()).toEqual([]);
    release();
    await Promise.all([closing, reopening]);
    expect(w.pushes().map((p) => p.status)).toEqual(['offline', 'active']);
    expect((await w.deps.presence.statusOf([w.alice.id])).get(w.alice.id)).toBe('active');
  });

  it('still pushes offline when lastSeen cannot be stored, then reports the failure', async () => {
    const users = createMemoryUserRepository();
    const failing: UserRepository = {
      ...users,
      setLastSeen: async () => {
        throw new Error('store down');
      },
    };
    const w = await createPresenceWorld({ users: failing });
    await w.open(w.alice, 'a1');
    w.clear();
    await expect(w.close(w.alice, 'a1')).rejects.toThrow('store down');
    expect(w.pushes().map((p) => [p.to, p.status])).toEqual([[w.bob.id, 'offline']]);
  });

  it('drops the closed connection’s subscriptions', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.carol, 'c1', [w.alice.id]);
    await w.subscribe(w.carol, 'c2', [w.alice.id]);
    await w.close(w.carol, 'c1');
    expect(await w.deps.presenceSubscriptions.subscribersOf(w.alice.id)).toEqual([
      { userId: w.carol.id, connectionId: 'c2' },
    ]);
    await w.open(w.alice, 'a1');
    expect(w.pushes().filter((p) => p.to === w.carol.id)).toEqual([
      { to: w.carol.id, connectionId: 'c2', about: w.alice.id, status: 'active', lastSeen: null },
    ]);
  });
});
