/** @module What the signaling use cases share; not part of the core's surface. */
import type { Deps } from '../../deps.js';
import { DomainError } from '../../errors.js';
import type { CallId, EndReason, FinalCallStatus, SessionId } from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import type { CallEndedReason, Notification } from '../../ports/notifier.js';
import { cancelCallPushes, type PushDeps } from './call-pushes.js';
import {
  type CallFrameInput,
  type CallSide,
  callDurationSec,
  endStatus,
  ringTimeoutKey,
} from './call-rules.js';

/** What a party's step on an existing call (accept, reject, hang up) touches. */
export type CallStepDeps = Pick<
  Deps,
  'callState' | 'calls' | 'notifier' | 'scheduler' | 'clock' | 'callQueue' | 'sessions' | 'pushes'
>;

/**
 * The opening a party's step on an existing call shares: in the call's
 * queue, at `now`, `take` claims the live call (a compare-and-set on the call
 * state; null when the step does not apply, which is `NOT_IN_CALL`), the ring
 * timeout that can no longer matter is dropped, then `act` runs on the call.
 */
export function stepOnCall(
  deps: Pick<Deps, 'callQueue' | 'scheduler' | 'clock'>,
  input: CallFrameInput,
  take: (callId: CallId, now: Date) => Promise<LiveCall | null>,
  act: (call: LiveCall, now: Date) => Promise<void>,
): Promise<void> {
  const callId = input.payload.callId as CallId;
  return deps.callQueue.run(callId, async () => {
    const now = deps.clock.now();
    const call = await take(callId, now);
    if (call === null) throw notInCall();
    await cancelRingTimeout(deps, call.callId);
    await act(call, now);
  });
}

/** Stops the call on the user's other connections: `call-ended` with the reason, all but `connectionId`. */
export async function endElsewhere(
  deps: Pick<Deps, 'notifier'>,
  input: Pick<CallFrameInput, 'userId' | 'connectionId'>,
  callId: CallId,
  reason: 'answered-elsewhere' | 'rejected-elsewhere',
): Promise<void> {
  await deps.notifier.notify(
    input.userId,
    { type: 'call-ended', payload: { callId, reason } },
    { exceptConnectionId: input.connectionId },
  );
}

export function notInCall(): DomainError {
  return new DomainError('NOT_IN_CALL', 'No such call, or you are not a party to it.');
}

/**
 * Delivers to one side of `call`: the caller's calling connection; the
 * callee's accepting connection, or every callee connection while ringing.
 */
export async function notifySide(
  deps: Pick<Deps, 'notifier'>,
  call: LiveCall,
  side: CallSide,
  notification: Notification,
): Promise<void> {
  if (side === 'caller') {
    await deps.notifier.notifyConnection(call.callerId, call.callerConnectionId, notification);
  } else if (call.calleeConnectionId !== null) {
    await deps.notifier.notifyConnection(call.calleeId, call.calleeConnectionId, notification);
  } else {
    await deps.notifier.notify(call.calleeId, notification);
  }
}

/**
 * Removes the live call `callId` when `wants(call)` says so, and returns it;
 * null when it is gone or unwanted. A lost compare-and-set means the call
 * changed meanwhile (ringing → accepted happens at most once): look again.
 */
export async function endIf(
  deps: Pick<Deps, 'callState'>,
  callId: string,
  wants: (call: LiveCall) => boolean,
): Promise<LiveCall | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const call = await deps.callState.get(callId);
    if (call === null || !wants(call)) return null;
    const ended = await deps.callState.tryEnd(call.callId, call.state);
    if (ended !== null) return ended;
  }
  return null;
}

/** Drops a ring timeout that can no longer matter (it would be a no-op anyway). */
export async function cancelRingTimeout(deps: Pick<Deps, 'scheduler'>, callId: CallId) {
  await deps.scheduler.cancel(ringTimeoutKey(callId));
}

/**
 * Records the end of a call that has just left the live store; a call that
 * was still ringing also stops ringing on the callee's pushed devices (but
 * `exceptSessionId`'s, which declined it).
 */
export async function recordEnd(
  deps: Pick<Deps, 'calls'> & PushDeps,
  call: LiveCall,
  status: FinalCallStatus,
  endReason: EndReason,
  endedAt: Date,
  exceptSessionId?: SessionId,
): Promise<void> {
  await deps.calls.finish(call.callId, {
    status,
    endReason,
    endedAt,
    durationSec: callDurationSec(call.answeredAt, endedAt),
  });
  if (call.state === 'ringing') {
    await cancelCallPushes(deps, call, cancelReason(status, endReason), exceptSessionId);
  }
}

/**
 * Ends `call`, just taken out of the live store, as nobody's hang-up (a
 * connection gone, a block): `call-ended { callId, reason: 'disconnected' }`
 * to `sides`, history completed/disconnected once answered, else
 * missed/disconnected.
 */
export async function endDisconnected(
  deps: Pick<Deps, 'scheduler' | 'notifier' | 'calls'> & PushDeps,
  call: LiveCall,
  sides: readonly CallSide[],
): Promise<void> {
  const endedAt = deps.clock.now();
  await cancelRingTimeout(deps, call.callId);
  const ended: Notification = {
    type: 'call-ended',
    payload: { callId: call.callId, reason: 'disconnected' },
  };
  for (const side of sides) await notifySide(deps, call, side, ended);
  await recordEnd(deps, call, endStatus(call), 'disconnected', endedAt);
}

/** What the callee's devices are told when a ringing call ends: its `call-ended` reason. */
function cancelReason(status: FinalCallStatus, endReason: EndReason): CallEndedReason {
  if (status === 'rejected') return 'rejected-elsewhere';
  switch (endReason) {
    case 'timeout':
    case 'hangup':
    case 'glare':
      return endReason;
    default:
      return 'disconnected';
  }
}
