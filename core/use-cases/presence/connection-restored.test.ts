import { describe, expect, it } from 'vitest';
import { createPresenceWorld } from '../../../test/support/presence.js';
import { connectionRestored } from './connection-restored.js';

describe('connectionRestored', () => {
  it('puts a lost connection back with its own status and tells the partners once', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    await w.set(w.alice, 'a1', 'idle');
    // What a store that lost its data (a Redis restart) looks like.
    await w.deps.presence.removeConnection(w.alice.id, 'a1');
    w.clear();
    const input = { userId: w.alice.id, connectionId: 'a1', current: () => 'idle' as const };
    expect(await connectionRestored(w.deps, input)).toBe(true);
    expect(w.pushes()).toEqual([
      { to: w.bob.id, about: w.alice.id, status: 'idle', lastSeen: null },
    ]);
    w.clear();
    await connectionRestored(w.deps, input);
    expect(w.pushes()).toEqual([]);
    expect((await w.deps.presence.statusOf([w.alice.id])).get(w.alice.id)).toBe('idle');
  });

  it('leaves out a connection that closed before the restore ran', async () => {
    const w = await createPresenceWorld();
    await w.open(w.alice, 'a1');
    // The transport marks the connection closed at once, then queues its cleanup.
    let open = true;
    const closing = w.close(w.alice, 'a1');
    open = false;
    const restored = connectionRestored(w.deps, {
      userId: w.alice.id,
      connectionId: 'a1',
      current: () => (open ? 'active' : null),
    });
    await closing;
    expect(await restored).toBe(false);
    expect((await w.deps.presence.statusOf([w.alice.id])).get(w.alice.id)).toBe('offline');
  });
});
