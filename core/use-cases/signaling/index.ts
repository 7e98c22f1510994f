/**
 * @module Call signaling (API.md §7): the server-owned call state machine.
 * A call rings, is accepted, and ends exactly once, with the reasons of the
 * contract; every step is a compare-and-set on the `CallStateStore`, and
 * everything about one call is handled in arrival order (`callQueue`).
 */
export { acceptCall } from './accept-call.js';
export * from './call-rules.js';
export {
  type CallUserInput,
  type CallUserRequest,
  type CallUserResult,
  callUser,
} from './call-user.js';
export { type ConnectionClosedInput, connectionClosed } from './connection-closed.js';
export { deliverPendingCall } from './deliver-pending-call.js';
export { endCall } from './end-call.js';
export { rejectCall } from './reject-call.js';
export { type RelayCallSignalInput, relayCallSignal } from './relay-call-signal.js';
export { ringTimeout } from './ring-timeout.js';
