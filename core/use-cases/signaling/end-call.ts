/** @module Hangs up: `call-ended` from a party (API.md §7). */
import type { EndReason, FinalCallStatus } from '../../model.js';
import { type CallFrameInput, endStatus, passthrough, sideOf } from './call-rules.js';
import {
  type CallStepDeps,
  endElsewhere,
  endIf,
  notifySide,
  recordEnd,
  stepOnCall,
} from './shared.js';

/**
 * Ends the call from the connection holding one side of it: the other party
 * gets `call-ended { callId, from, reason: 'hangup' }` (every callee connection
 * while ringing). History: completed/hangup once answered; missed/hangup when
 * the caller gives up. A callee hanging up a ringing call declines it:
 * rejected/declined, and its other connections get `call-ended
 * { reason: 'rejected-elsewhere' }`. `NOT_IN_CALL` unless the connection holds
 * a side of the live call.
 */
export async function endCall(deps: CallStepDeps, input: CallFrameInput): Promise<void> {
  const { userId, connectionId, payload } = input;
  return stepOnCall(
    deps,
    input,
    // The removed call is in the state the wish was checked against.
    (callId) => endIf(deps, callId, (live) => sideOf(live, userId, connectionId) !== null),
    async (call, endedAt) => {
      const side = sideOf(call, userId, connectionId);
      await notifySide(deps, call, side === 'caller' ? 'callee' : 'caller', {
        type: 'call-ended',
        payload: { ...passthrough(payload), callId: call.callId, from: userId, reason: 'hangup' },
      });
      let status: FinalCallStatus = endStatus(call);
      let endReason: EndReason = 'hangup';
      if (side === 'callee' && call.state === 'ringing') {
        status = 'rejected';
        endReason = 'declined';
        await endElsewhere(deps, input, call.callId, 'rejected-elsewhere');
      }
      await recordEnd(deps, call, status, endReason, endedAt, input.sessionId);
    },
  );
}
