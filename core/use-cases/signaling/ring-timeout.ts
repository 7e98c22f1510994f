/** @module Ends a call nobody answered in time; what the scheduled ring timeout runs. */
import type { Deps } from '../../deps.js';
import type { CallId } from '../../model.js';
import type { AppendEventDeps } from '../sync/append-event.js';
import { logMissedCall } from '../sync/log-missed-call.js';
import { notifySide, recordEnd } from './shared.js';

/**
 * Ends the call with `timeout` if it is still ringing: both parties get
 * `call-ended { callId, reason: 'timeout' }` and the history says
 * missed/timeout; the callee's event log gets `missed-call` (API.md "Sync"),
 * which reaches the devices that were away. A guarded transition: after an accept, a reject or a
 * hangup, or when run a second time, it changes nothing and returns false.
 */
export async function ringTimeout(
  deps: Pick<
    Deps,
    'callState' | 'calls' | 'notifier' | 'clock' | 'callQueue' | 'sessions' | 'pushes'
  > &
    // The callee's log gets the missed call.
    AppendEventDeps,
  input: { readonly callId: string },
): Promise<boolean> {
  return deps.callQueue.run(input.callId, async () => {
    const call = await deps.callState.tryEnd(input.callId as CallId, 'ringing');
    if (call === null) return false;
    const ended = {
      type: 'call-ended',
      payload: { callId: call.callId, reason: 'timeout' },
    } as const;
    await notifySide(deps, call, 'caller', ended);
    await notifySide(deps, call, 'callee', ended);
    const endedAt = deps.clock.now();
    await recordEnd(deps, call, 'missed', 'timeout', endedAt);
    await logMissedCall(deps, {
      id: call.callId,
      callerId: call.callerId,
      calleeId: call.calleeId,
      media: call.media,
      status: 'missed',
      startedAt: call.startedAt,
      answeredAt: null,
      endedAt,
      durationSec: null,
      endReason: 'timeout',
    });
    return true;
  });
}
