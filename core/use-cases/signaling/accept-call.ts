/** @module Answers a ringing call: `call-accepted` (API.md §7). */
import type { Deps } from '../../deps.js';
import type { CallId } from '../../model.js';
import { type CallFrameInput, passthrough } from './call-rules.js';
import { cancelRingTimeout, notInCall, notifySide } from './shared.js';

/**
 * The callee's connection takes the call: the caller's calling connection
 * gets `call-accepted { callId, from }` (with the frame's other fields), the
 * callee's other connections `call-ended { callId, reason: 'answered-elsewhere' }`.
 *
 * Of two connections accepting at once exactly one wins; the other (like any
 * accept of a call that is not ringing for this user: ended, accepted, foreign)
 * is refused with `NOT_IN_CALL`, after its `answered-elsewhere`.
 */
export async function acceptCall(
  deps: Pick<Deps, 'callState' | 'calls' | 'notifier' | 'scheduler' | 'clock' | 'callQueue'>,
  input: CallFrameInput,
): Promise<void> {
  const { userId, connectionId, payload } = input;
  return deps.callQueue.run(payload.callId, async () => {
    const answeredAt = deps.clock.now();
    const callId = payload.callId as CallId;
    const call = await deps.callState.tryAccept(callId, userId, connectionId, answeredAt);
    if (call === null) throw notInCall();
    await cancelRingTimeout(deps, call.callId);
    await notifySide(deps, call, 'caller', {
      type: 'call-accepted',
      payload: { ...passthrough(payload), callId: call.callId, from: userId },
    });
    await deps.notifier.notify(
      userId,
      { type: 'call-ended', payload: { callId: call.callId, reason: 'answered-elsewhere' } },
      { exceptConnectionId: connectionId },
    );
    await deps.calls.markAnswered(call.callId, answeredAt);
  });
}
