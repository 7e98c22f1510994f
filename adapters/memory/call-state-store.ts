/**
 * @module In-process live call state. No method awaits between its check and
 * its change, so each transition is atomic on the event loop, as the Redis
 * store's Lua scripts are in a cluster.
 */
import {
  type CallId,
  type CallStateStore,
  compareCallIds,
  type LiveCall,
  type UserId,
} from '../../core/index.js';

/** Live calls of this process, honouring every guarantee of `CallStateStore`. */
export function createMemoryCallStateStore(): CallStateStore {
  const calls = new Map<string, LiveCall>();
  const callIdOf = new Map<UserId, CallId>();

  const current = (userId: UserId): LiveCall | null => {
    const callId = callIdOf.get(userId);
    return callId === undefined ? null : (calls.get(callId) ?? null);
  };
  const remove = (call: LiveCall) => {
    calls.delete(call.callId);
    for (const userId of [call.callerId, call.calleeId]) {
      if (callIdOf.get(userId) === call.callId) callIdOf.delete(userId);
    }
  };

  return {
    async get(callId) {
      return calls.get(callId) ?? null;
    },
    async callOf(userId) {
      return current(userId);
    },
    async tryStart(call) {
      if (calls.has(call.callId)) return { kind: 'call-exists' };
      let displaced: LiveCall | null = null;
      const callers = current(call.callerId);
      if (callers !== null) {
        const glare =
          callers.state === 'ringing' &&
          callers.callerId === call.calleeId &&
          callers.calleeId === call.callerId;
        if (!glare) return { kind: 'caller-busy' };
        if (compareCallIds(callers.callId, call.callId) < 0) {
          return { kind: 'glare-lost', survivor: callers.callId };
        }
        remove(callers);
        displaced = callers;
      }
      if (current(call.calleeId) !== null) return { kind: 'callee-busy' };
      calls.set(call.callId, {
        ...call,
        state: 'ringing',
        calleeConnectionId: null,
        answeredAt: null,
      });
      callIdOf.set(call.callerId, call.callId);
      callIdOf.set(call.calleeId, call.callId);
      return { kind: 'started', displaced };
    },
    async tryAccept(callId, calleeId, connectionId, answeredAt) {
      const call = calls.get(callId);
      if (call?.state !== 'ringing' || call.calleeId !== calleeId) return null;
      const accepted: LiveCall = {
        ...call,
        state: 'accepted',
        calleeConnectionId: connectionId,
        answeredAt,
      };
      calls.set(callId, accepted);
      return accepted;
    },
    async tryEnd(callId, expected) {
      const call = calls.get(callId);
      if (call?.state !== expected) return null;
      remove(call);
      return call;
    },
  };
}
