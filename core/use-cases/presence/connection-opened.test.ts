import { describe, expect, it } from 'vitest';
import { createPresenceWorld } from '../../../test/support/presence.js';
import { getPresence } from '../get-presence.js';

describe('connectionOpened', () => {
  it('makes the user active and tells each conversation partner once, strangers nothing', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'active', lastSeen: null },
    ]);
    const presence = await getPresence(w.deps, { userIds: [w.alice.id], callerId: w.bob.id });
    expect(presence.get(w.alice.id)).toEqual({ status: 'active', lastSeen: null });
  });

  it('reaches every partner and carries the stored lastSeen', async () => {
    const w = await createPresenceWorld();
    const earlier = new Date('2025-12-31T23:00:00.000Z');
    await w.deps.users.setLastSeen(w.bob.id, earlier);
    await w.open(w.bob, 'b1');
    expect(w.pushes()).toEqual([
      { to: w.alice.id, about: w.bob.id, status: 'active', lastSeen: earlier },
      { to: w.erin.id, about: w.bob.id, status: 'active', lastSeen: earlier },
    ]);
  });

  it('does not push again when a second connection opens', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    w.clear();
    await w.open(w.alice, 'a2');
    expect(w.pushes()).toEqual([]);
  });

  it('pushes active when a new connection joins an idle user', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.set(w.alice, 'a1', 'idle');
    w.clear();
    await w.open(w.alice, 'a2');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'active', lastSeen: null },
    ]);
  });

  it('pushes once when two connections of one user open at the same time', async () => {
    const w = await createPresenceWorld();
    await Promise.all([w.open(w.alice, 'a1'), w.open(w.alice, 'a2'), w.open(w.alice, 'a3')]);
    expect(w.pushes()).toHaveLength(1);
  });

  it('tells a user without partners or subscribers to nobody', async () => {
    const w = await createPresenceWorld();
    await w.open(w.dave, 'd1');
    await w.open(w.carol, 'c1');
    expect(w.pushes()).toEqual([]);
  });
});
