/** @module Rings a connection that opens while a call to its user rings (a device woken by push). */
import type { Deps } from '../../deps.js';
import type { UserId } from '../../model.js';

/**
 * When `userId` is the callee of a call that is still ringing, sends that
 * call's `call-user` to the new connection `connectionId` alone (with
 * `callId`, `from`, `fromDisplayName` and `media`; fields the caller's frame
 * passed on are not kept, so they are not repeated). The connection can
 * accept or reject it like any ringing connection. Called by the transport
 * right after `ready`; returns whether it rang.
 */
export async function deliverPendingCall(
  deps: Pick<Deps, 'callState' | 'users' | 'notifier' | 'callQueue'>,
  input: { readonly userId: UserId; readonly connectionId: string },
): Promise<boolean> {
  const { userId, connectionId } = input;
  const current = await deps.callState.callOf(userId);
  if (current === null || current.calleeId !== userId || current.state !== 'ringing') return false;
  // In the call's order: an end decided meanwhile is told after this ring, never before it.
  return deps.callQueue.run(current.callId, async () => {
    const call = await deps.callState.get(current.callId);
    if (call === null || call.state !== 'ringing') return false;
    const caller = await deps.users.findById(call.callerId);
    if (caller === null) return false;
    await deps.notifier.notifyConnection(userId, connectionId, {
      type: 'call-user',
      payload: {
        callId: call.callId,
        from: call.callerId,
        fromDisplayName: caller.displayName,
        media: call.media,
      },
    });
    return true;
  });
}
