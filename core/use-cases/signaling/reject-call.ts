/** @module Declines a ringing call: `call-rejected` (API.md §7). */
import type { Deps } from '../../deps.js';
import { type CallFrameInput, passthrough } from './call-rules.js';
import { cancelRingTimeout, endIf, notInCall, notifySide, recordEnd } from './shared.js';

/**
 * Any connection of the callee declines a ringing call: the caller's calling
 * connection gets `call-rejected { callId, from, reason: 'declined' }`, the
 * callee's other connections stop ringing with `call-ended { callId, reason:
 * 'rejected-elsewhere' }`; history rejected/declined. `NOT_IN_CALL` unless the
 * call is ringing for this user.
 */
export async function rejectCall(
  deps: Pick<Deps, 'callState' | 'calls' | 'notifier' | 'scheduler' | 'clock' | 'callQueue'>,
  input: CallFrameInput,
): Promise<void> {
  const { userId, connectionId, payload } = input;
  return deps.callQueue.run(payload.callId, async () => {
    const call = await endIf(
      deps,
      payload.callId,
      (live) => live.state === 'ringing' && live.calleeId === userId,
    );
    if (call === null) throw notInCall();
    const endedAt = deps.clock.now();
    await cancelRingTimeout(deps, call.callId);
    await notifySide(deps, call, 'caller', {
      type: 'call-rejected',
      payload: { ...passthrough(payload), callId: call.callId, from: userId, reason: 'declined' },
    });
    await deps.notifier.notify(
      userId,
      { type: 'call-ended', payload: { callId: call.callId, reason: 'rejected-elsewhere' } },
      { exceptConnectionId: connectionId },
    );
    await recordEnd(deps, call, 'rejected', 'declined', endedAt);
  });
}
