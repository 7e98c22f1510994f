/** @module Ends the call a closing connection held (API.md §7, "disconnected"). */
import type { Deps } from '../../deps.js';
import type { UserId } from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import { pushableSessions } from './call-pushes.js';
import { endDisconnected, endIf } from './shared.js';

export interface ConnectionClosedInput {
  readonly userId: UserId;
  readonly connectionId: string;
}

/**
 * Called by the transport once a connection is gone, after it was removed
 * from the presence store. When the connection held a side of a call, the
 * call ends and the other side gets `call-ended { callId, reason:
 * 'disconnected' }`; history completed/disconnected once answered, else
 * missed/disconnected. A ringing callee holds its side with every connection,
 * so the call ends only when the callee's last connection closes, and not
 * even then while it still rings on a device reached by push.
 *
 * Returns whether a call ended. Frames the connection sent before closing are
 * handled first.
 */
export async function connectionClosed(
  deps: Pick<
    Deps,
    | 'callState'
    | 'calls'
    | 'notifier'
    | 'scheduler'
    | 'clock'
    | 'callQueue'
    | 'presence'
    | 'sessions'
    | 'pushes'
  >,
  input: ConnectionClosedInput,
): Promise<boolean> {
  const { userId, connectionId } = input;
  await deps.callQueue.settled();
  const current = await deps.callState.callOf(userId);
  if (current === null) return false;
  return deps.callQueue.run(current.callId, async () => {
    const presence = await deps.presence.statusOf([userId]);
    let unreachable = (presence.get(userId) ?? 'offline') === 'offline';
    if (unreachable && current.calleeId === userId && current.state === 'ringing') {
      unreachable = (await pushableSessions(deps, userId)).length === 0;
    }
    const holds = (call: LiveCall) =>
      (call.callerId === userId && call.callerConnectionId === connectionId) ||
      (call.calleeId === userId &&
        (call.state === 'ringing' ? unreachable : call.calleeConnectionId === connectionId));
    const call = await endIf(deps, current.callId, holds);
    if (call === null) return false;
    await endDisconnected(deps, call, [call.callerId === userId ? 'callee' : 'caller']);
    return true;
  });
}
