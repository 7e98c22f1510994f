/** @module Declines a ringing call: `call-rejected` (API.md §7). */
import { type CallFrameInput, passthrough } from './call-rules.js';
import {
  type CallStepDeps,
  endElsewhere,
  endIf,
  notifySide,
  recordEnd,
  stepOnCall,
} from './shared.js';

/**
 * Any connection of the callee declines a ringing call: the caller's calling
 * connection gets `call-rejected { callId, from, reason: 'declined' }`, the
 * callee's other connections stop ringing with `call-ended { callId, reason:
 * 'rejected-elsewhere' }`; history rejected/declined. `NOT_IN_CALL` unless the
 * call is ringing for this user.
 */
export async function rejectCall(deps: CallStepDeps, input: CallFrameInput): Promise<void> {
  const { userId, payload } = input;
  return stepOnCall(
    deps,
    input,
    (callId) => endIf(deps, callId, (live) => live.state === 'ringing' && live.calleeId === userId),
    async (call, endedAt) => {
      await notifySide(deps, call, 'caller', {
        type: 'call-rejected',
        payload: { ...passthrough(payload), callId: call.callId, from: userId, reason: 'declined' },
      });
      await endElsewhere(deps, input, call.callId, 'rejected-elsewhere');
      await recordEnd(deps, call, 'rejected', 'declined', endedAt, input.sessionId);
    },
  );
}
