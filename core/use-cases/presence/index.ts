/**
 * @module Presence (API.md §7): per-connection statuses combined per user,
 * pushed as `presence-update` only when the combined status changes, to the
 * user's conversation partners and to connections that subscribed, never to
 * anyone else. Each user's changes are serialized in this process
 * (`presenceQueue`) and decided on the transitions the `PresenceStore`
 * returns, so concurrent changes of one user never double-push or reorder.
 */
export { connectionOpened } from './connection-opened.js';
export { type ConnectionRestoredInput, connectionRestored } from './connection-restored.js';
export { presenceConnectionClosed } from './presence-connection-closed.js';
export type { PresenceConnectionInput, PresenceUpdate } from './shared.js';
export {
  MAX_PRESENCE_IDS_PER_REQUEST,
  PRESENCE_IDS_RULE,
  type PresenceSubscriptionInput,
  subscribePresence,
} from './subscribe-presence.js';
export { unsubscribePresence } from './unsubscribe-presence.js';
export { type UpdatePresenceInput, updatePresence } from './update-presence.js';
