/**
 * @module Blocking (docs/API.md, "Blocking"): a blocked user cannot message
 * the blocker, call them, see their presence, take their one-time keys or
 * find them by phone number or username, and no answer tells them so.
 */
export { blockUser } from './block-user.js';
export { type BlockedEntry, listBlocked } from './list-blocked.js';
export { presenceSeenBy } from './shared.js';
export { unblockUser } from './unblock-user.js';
