/** @module The event log's use cases (docs/API.md "Sync"). */
export {
  ACK_WINDOW,
  type AcknowledgeDeps,
  acknowledgeEvents,
  acknowledgeUpTo,
} from './acknowledge.js';
export { type AppendEventInput, appendEvent, PRUNE_EVERY } from './append-event.js';
export { logMissedCall } from './log-missed-call.js';
export { type MarkReadInput, markRead, type ReadState } from './mark-read.js';
export {
  DEFAULT_SYNC_LIMIT,
  type EventPage,
  MAX_READ_LIMIT,
  MAX_SYNC_LIMIT,
  type ReadEventsInput,
  readEvents,
  SEQ_RULE,
} from './read-events.js';
export { sendTyping, TYPING_TIMEOUT_MS } from './send-typing.js';
