/** @module A connection reports its activity (`update-presence`, API.md §7). */
import type { Deps } from '../../deps.js';
import type { ConnectionStatus } from '../../ports/presence-store.js';
import { type BroadcastDeps, broadcastIfChanged, type PresenceConnectionInput } from './shared.js';

export interface UpdatePresenceInput extends PresenceConnectionInput {
  readonly status: ConnectionStatus;
}

/**
 * Sets the connection's own status; pushes `presence-update` only when the
 * user's combined status changes (idle on one of two active connections
 * changes nothing). An update from a connection already closed is ignored.
 */
export async function updatePresence(
  deps: BroadcastDeps & Pick<Deps, 'presence' | 'presenceQueue'>,
  input: UpdatePresenceInput,
): Promise<void> {
  const { userId, connectionId, status } = input;
  await deps.presenceQueue.run(userId, async () => {
    const transition = await deps.presence.updateConnectionStatus(userId, connectionId, status);
    await broadcastIfChanged(deps, userId, transition);
  });
}
