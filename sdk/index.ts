/**
 * @module The My Calls client SDK: typed HTTP routes (`MyCallsApi`), the
 * device's WebSocket with reconnection (`MyCallsSocket`), calls over
 * `RTCPeerConnection` (`CallManager`), and `MyCallsClient` tying them
 * together. No DOM or Node dependency: it runs in browsers, Node, Deno,
 * Bun and React Native, with the platform objects it is handed.
 */
export {
  Call,
  type CallEndReason,
  CallManager,
  type CallManagerOptions,
  type CallState,
} from './call.js';
export { MyCallsClient, type MyCallsClientOptions } from './client.js';
export { ApiError, type ApiOptions, MyCallsApi } from './http.js';
export type * from './platform.js';
export {
  type BackoffOptions,
  MyCallsSocket,
  type SocketOptions,
  type SocketState,
} from './socket.js';
export type * from './types.js';
