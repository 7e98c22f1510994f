/** @module Answers a ringing call: `call-accepted` (API.md §7). */
import { cancelCallPushes } from './call-pushes.js';
import { type CallFrameInput, passthrough } from './call-rules.js';
import { type CallStepDeps, endElsewhere, notifySide, stepOnCall } from './shared.js';

/**
 * The callee's connection takes the call: the caller's calling connection
 * gets `call-accepted { callId, from }` (with the frame's other fields), the
 * callee's other connections `call-ended { callId, reason: 'answered-elsewhere' }`,
 * its pushed devices but this one a cancel push.
 *
 * Of two connections accepting at once exactly one wins; the other (like any
 * accept of a call that is not ringing for this user: ended, accepted, foreign)
 * is refused with `NOT_IN_CALL`, after its `answered-elsewhere`.
 */
export async function acceptCall(deps: CallStepDeps, input: CallFrameInput): Promise<void> {
  const { userId, connectionId, payload } = input;
  return stepOnCall(
    deps,
    input,
    (callId, answeredAt) => deps.callState.tryAccept(callId, userId, connectionId, answeredAt),
    async (call, answeredAt) => {
      await notifySide(deps, call, 'caller', {
        type: 'call-accepted',
        payload: { ...passthrough(payload), callId: call.callId, from: userId },
      });
      await endElsewhere(deps, input, call.callId, 'answered-elsewhere');
      await deps.calls.markAnswered(call.callId, answeredAt);
      await cancelCallPushes(deps, call, 'answered-elsewhere', input.sessionId);
    },
  );
}
