/** @module Logs a missed call in the callee's event log. */
import type { CallRecord, LoggedEvent } from '../../model.js';
import { type AppendEventDeps, appendEvent } from './append-event.js';

/**
 * Logs `missed-call { call }` for the callee and pushes it to their
 * connections. The ring timeout calls it for every call nobody answered in
 * time; call it once per call (the log does not deduplicate).
 */
export function logMissedCall(deps: AppendEventDeps, call: CallRecord): Promise<LoggedEvent> {
  return appendEvent(deps, { userId: call.calleeId, event: { type: 'missed-call', call } });
}
