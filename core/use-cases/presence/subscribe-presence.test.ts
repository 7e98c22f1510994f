import { describe, expect, it } from 'vitest';
import { createMemoryPresenceSubscriptions } from '../../../adapters/memory/presence-subscriptions.js';
import { createPresenceWorld } from '../../../test/support/presence.js';

const UNKNOWN = '65a1b2c3d4e5f60718293a4b';

describe('subscribePresence', () => {
  it('answers the current presence of each known id once, in request order', async () => {
    const w = await createPresenceWorld();
    const seen = new Date('2025-12-30T10:00:00.000Z');
    await w.deps.users.setLastSeen(w.dave.id, seen);
    await w.open(w.alice, 'a1');
    await w.open(w.erin, 'e1');
    await w.set(w.erin, 'e1', 'idle');
    const answer = await w.subscribe(w.carol, 'c1', [
      w.dave.id,
      UNKNOWN,
      'malformed',
      w.alice.id,
      w.erin.id,
      w.alice.id,
    ]);
    expect(answer).toEqual([
      { userId: w.dave.id, status: 'offline', lastSeen: seen },
      { userId: w.alice.id, status: 'active', lastSeen: null },
      { userId: w.erin.id, status: 'idle', lastSeen: null },
    ]);
    expect(await w.subscribe(w.carol, 'c1', [UNKNOWN, '{"$ne":null}'])).toEqual([]);
  });

  it('pushes each change to the subscribing connection only, once, and never to strangers', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.carol, 'c1', [w.alice.id]);
    w.clear();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    await w.set(w.alice, 'a1', 'idle');
    await w.set(w.alice, 'a2', 'idle');
    await w.close(w.alice, 'a1');
    await w.close(w.alice, 'a2');
    const lastSeen = w.clock.now();
    const toCarol = { to: w.carol.id, connectionId: 'c1', about: w.alice.id };
    const toBob = { to: w.bob.id, about: w.alice.id };
    expect(w.pushes()).toEqual([
      { ...toBob, status: 'active', lastSeen: null },
      { ...toCarol, status: 'active', lastSeen: null },
      { ...toBob, status: 'idle', lastSeen: null },
      { ...toCarol, status: 'idle', lastSeen: null },
      { ...toBob, status: 'offline', lastSeen },
      { ...toCarol, status: 'offline', lastSeen },
    ]);
    expect(w.pushes().filter((p) => p.to === w.dave.id || p.to === w.alice.id)).toEqual([]);
  });

  it('adds to earlier subscriptions', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.carol, 'c1', [w.alice.id]);
    await w.subscribe(w.carol, 'c1', [w.dave.id, w.alice.id]);
    await w.open(w.alice, 'a1');
    await w.open(w.dave, 'd1');
    expect(w.pushes().filter((p) => p.to === w.carol.id)).toEqual([
      { to: w.carol.id, connectionId: 'c1', about: w.alice.id, status: 'active', lastSeen: null },
      { to: w.carol.id, connectionId: 'c1', about: w.dave.id, status: 'active', lastSeen: null },
    ]);
  });

  it('reaches a partner who also subscribed once, through all of their connections', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.bob, 'b1', [w.alice.id]);
    await w.subscribe(w.bob, 'b2', [w.alice.id]);
    await w.open(w.alice, 'a1');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'active', lastSeen: null },
    ]);
  });

  it('lets a connection follow its own user: only that connection hears of itself', async () => {
    const w = await createPresenceWorld();
    expect(await w.subscribe(w.dave, 'd1', [w.dave.id])).toEqual([
      { userId: w.dave.id, status: 'offline', lastSeen: null },
    ]);
    await w.open(w.dave, 'd1');
    await w.open(w.dave, 'd2');
    await w.close(w.dave, 'd2');
    await w.set(w.dave, 'd1', 'idle');
    expect(w.pushes()).toEqual([
      { to: w.dave.id, connectionId: 'd1', about: w.dave.id, status: 'active', lastSeen: null },
      { to: w.dave.id, connectionId: 'd1', about: w.dave.id, status: 'idle', lastSeen: null },
    ]);
  });

  it('refuses an empty list and more than 200 ids', async () => {
    const w = await createPresenceWorld();
    for (const userIds of [[], Array(201).fill(w.alice.id)]) {
      await expect(w.subscribe(w.carol, 'c1', userIds)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'userIds', message: expect.any(String) }],
      });
    }
    expect(await w.subscribe(w.carol, 'c1', Array(200).fill(w.alice.id))).toHaveLength(1);
  });

  it('adds nothing when the connection would follow more users than the cap', async () => {
    const w = await createPresenceWorld({
      presenceSubscriptions: createMemoryPresenceSubscriptions({ maxPerConnection: 2 }),
    });
    await w.subscribe(w.carol, 'c1', [w.alice.id, w.bob.id]);
    // Already followed ids do not count twice.
    await w.subscribe(w.carol, 'c1', [w.bob.id, UNKNOWN]);
    await expect(w.subscribe(w.carol, 'c1', [w.erin.id, w.dave.id])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await w.deps.presenceSubscriptions.subscribersOf(w.erin.id)).toEqual([]);
    // Another connection has its own budget.
    expect(await w.subscribe(w.carol, 'c2', [w.erin.id])).toHaveLength(1);
  });
});

describe('unsubscribePresence', () => {
  it('stops the pushes to that connection, leaving other subscriptions alone', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.carol, 'c1', [w.alice.id, w.dave.id]);
    await w.subscribe(w.carol, 'c2', [w.alice.id]);
    await w.unsubscribe(w.carol, 'c1', [w.alice.id, UNKNOWN, 'malformed']);
    await w.open(w.alice, 'a1');
    await w.open(w.dave, 'd1');
    expect(w.pushes().filter((p) => p.to === w.carol.id)).toEqual([
      { to: w.carol.id, connectionId: 'c2', about: w.alice.id, status: 'active', lastSeen: null },
      { to: w.carol.id, connectionId: 'c1', about: w.dave.id, status: 'active', lastSeen: null },
    ]);
  });

  it('does not silence a conversation partner', async () => {
    const w = await createPresenceWorld();
    await w.subscribe(w.bob, 'b1', [w.alice.id]);
    await w.unsubscribe(w.bob, 'b1', [w.alice.id]);
    await w.open(w.alice, 'a1');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'active', lastSeen: null },
    ]);
  });

  it('refuses an empty list', async () => {
    const w = await createPresenceWorld();
    await expect(w.unsubscribe(w.carol, 'c1', [])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
