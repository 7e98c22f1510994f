/**
 * @module Relays `offer`, `answer` and `ice-candidate` between the parties
 * (API.md §7). This runs for every frame of every call (ICE candidates come
 * in bursts), so it adds no promise of its own beyond the queue's task and
 * builds the relayed payload in one copy.
 */
import type { Deps } from '../../deps.js';
import type { CallSignalType } from '../../ports/notifier.js';
import { type CallFrameInput, passthrough, sideOf } from './call-rules.js';
import { notInCall, notifySide } from './shared.js';

export interface RelayCallSignalInput extends CallFrameInput {
  readonly type: CallSignalType;
}

/**
 * Passes the frame to the other party with `from` set and every other field
 * untouched: to the caller's calling connection, or to the callee's accepting
 * connection (every callee connection before acceptance). Frames of one call
 * are relayed in the order they arrived. `NOT_IN_CALL` unless the sending
 * connection holds a side of the live call.
 */
export function relayCallSignal(
  deps: Pick<Deps, 'callState' | 'notifier' | 'callQueue'>,
  input: RelayCallSignalInput,
): Promise<void> {
  const { userId, connectionId, payload } = input;
  // Read-only: its order among this process's frames of the call is enough
  // (one sender's frames are all handled by the instance holding its connection).
  return deps.callQueue.run(
    payload.callId,
    async () => {
      const call = await deps.callState.get(payload.callId);
      const side = call === null ? null : sideOf(call, userId, connectionId);
      if (call === null || side === null) throw notInCall();
      // passthrough() returns a fresh object: the fields it left out go on at the end.
      const relayed = Object.assign(passthrough(payload), { callId: call.callId, from: userId });
      await notifySide(deps, call, side === 'caller' ? 'callee' : 'caller', {
        type: input.type,
        payload: relayed,
      });
    },
    { localOnly: true },
  );
}
