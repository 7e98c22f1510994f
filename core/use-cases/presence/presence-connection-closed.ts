/** @module A connection leaves its user's presence (API.md §7). */
import type { Deps } from '../../deps.js';
import {
  type BroadcastDeps,
  broadcastIfChanged,
  broadcastPresence,
  type PresenceConnectionInput,
} from './shared.js';

/**
 * Called by the transport once a connection is gone, before the signaling
 * `connectionClosed` (which reads presence to tell whether a ringing callee
 * has a connection left). Drops the connection's subscriptions and its
 * status. When it was the user's last connection, `lastSeen` = now is stored
 * durably and the partners and subscribers get `presence-update { status:
 * 'offline', lastSeen }`; otherwise they hear of it only if the combined
 * status changed (the last active connection closed, an idle one is left).
 * Closing an unknown or already closed connection changes nothing.
 */
export async function presenceConnectionClosed(
  deps: BroadcastDeps & Pick<Deps, 'presence' | 'presenceQueue' | 'clock'>,
  input: PresenceConnectionInput,
): Promise<void> {
  const { userId, connectionId } = input;
  // Queued at once, so changes of one user run in the order they were called.
  await deps.presenceQueue.run(userId, async () => {
    await deps.presenceSubscriptions.dropConnection({ userId, connectionId });
    const transition = await deps.presence.removeConnection(userId, connectionId);
    if (transition.after !== 'offline' || transition.before === 'offline') {
      await broadcastIfChanged(deps, userId, transition);
      return;
    }
    const lastSeen = deps.clock.now();
    // The user is offline whether or not the store takes the new lastSeen:
    // tell the audience anyway, then report the failure.
    const stored = deps.users.setLastSeen(userId, lastSeen).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const failure = await stored;
    await broadcastPresence(deps, { userId, status: 'offline', lastSeen });
    if (failure !== null) throw failure.error;
  });
}
