import { describe, expect, it } from 'vitest';
import { createPresenceWorld } from '../../../test/support/presence.js';

describe('updatePresence', () => {
  it('pushes idle when the only connection goes idle, and active when it comes back', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    w.clear();
    await w.set(w.alice, 'a1', 'idle');
    await w.set(w.alice, 'a1', 'idle');
    await w.set(w.alice, 'a1', 'active');
    await w.set(w.alice, 'a1', 'active');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'idle', lastSeen: null },
      { to: w.bob.id, about: w.alice.id, status: 'active', lastSeen: null },
    ]);
  });

  it('does not push when one of two active connections goes idle', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    w.clear();
    await w.set(w.alice, 'a1', 'idle');
    expect(w.pushes()).toEqual([]);
    await w.set(w.alice, 'a2', 'idle');
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'idle', lastSeen: null },
    ]);
    w.clear();
    await w.set(w.alice, 'a1', 'active');
    await w.set(w.alice, 'a2', 'active');
    expect(w.pushes().map((p) => p.status)).toEqual(['active']);
  });

  it('ignores an update from a connection that is closed or was never opened', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.close(w.alice, 'a1');
    w.clear();
    await w.set(w.alice, 'a1', 'active');
    await w.set(w.alice, 'ghost', 'idle');
    expect(w.pushes()).toEqual([]);
    expect((await w.deps.presence.statusOf([w.alice.id])).get(w.alice.id)).toBe('offline');
  });

  it('pushes once when both connections go idle at the same time', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.open(w.alice, 'a2');
    w.clear();
    await Promise.all([w.set(w.alice, 'a1', 'idle'), w.set(w.alice, 'a2', 'idle')]);
    expect(w.pushes().map((p) => p.status)).toEqual(['idle']);
  });
});
