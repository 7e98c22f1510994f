/**
 * @module A connection that never closed is put back into the shared presence
 * after the store lost it (with many instances: Redis restarted empty, or
 * this instance stalled and its peers took it for dead, API.md §8).
 */
import type { Deps } from '../../deps.js';
import type { ConnectionStatus } from '../../ports/presence-store.js';
import { type BroadcastDeps, broadcastIfChanged, type PresenceConnectionInput } from './shared.js';

export interface ConnectionRestoredInput extends PresenceConnectionInput {
  /**
   * The connection's own status now, or null when it closed meanwhile; asked
   * when the restore runs, after every change of the user queued before it.
   */
  readonly current: () => ConnectionStatus | null;
}

/**
 * Records the connection with its own status again; when that changes the
 * user's combined status (the store had them offline), the partners and
 * subscribers get one `presence-update`, as for a new connection. A
 * connection that closed meanwhile is left out. Repeating it changes nothing.
 */
export async function connectionRestored(
  deps: BroadcastDeps & Pick<Deps, 'presence' | 'presenceQueue'>,
  input: ConnectionRestoredInput,
): Promise<boolean> {
  const { userId, connectionId } = input;
  return deps.presenceQueue.run(userId, async () => {
    const status = input.current();
    if (status === null) return false;
    const transition = await deps.presence.setConnectionStatus(userId, connectionId, status);
    await broadcastIfChanged(deps, userId, transition);
    return true;
  });
}
