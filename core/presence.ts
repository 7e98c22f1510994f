/** @module How connection statuses combine into a user's status. */
import type { PresenceStatus } from './model.js';

/** `active` if any connection is active, else `idle` if any is left, else `offline`. */
export function combinePresence(
  statuses: Iterable<Exclude<PresenceStatus, 'offline'>>,
): PresenceStatus {
  let combined: PresenceStatus = 'offline';
  for (const status of statuses) {
    if (status === 'active') return 'active';
    combined = 'idle';
  }
  return combined;
}
