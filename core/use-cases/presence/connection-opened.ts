/** @module A new connection joins its user's presence (API.md §7). */
import type { Deps } from '../../deps.js';
import { type BroadcastDeps, broadcastIfChanged, type PresenceConnectionInput } from './shared.js';

/**
 * Called by the transport once a connection is authenticated and can receive
 * pushes. The connection starts `active`; when that changes the user's
 * combined status (from `offline` or `idle`), the partners and subscribers
 * get one `presence-update`.
 */
export async function connectionOpened(
  deps: BroadcastDeps & Pick<Deps, 'presence' | 'presenceQueue'>,
  input: PresenceConnectionInput,
): Promise<void> {
  const { userId, connectionId } = input;
  await deps.presenceQueue.run(userId, async () => {
    const transition = await deps.presence.setConnectionStatus(userId, connectionId, 'active');
    await broadcastIfChanged(deps, userId, transition);
  });
}
