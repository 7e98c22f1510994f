/**
 * @module `MyCallsClient`: one signed-in device — the HTTP API with its
 * token, the socket (whose `connectionId` rides on every send so this device
 * gets no echo of its own messages), and calls when the platform has WebRTC.
 */
import { CallManager } from './call.js';
import { MyCallsApi } from './http.js';
import type {
  FetchLike,
  MediaStreamLike,
  RTCPeerConnectionConstructor,
  WebSocketConstructor,
} from './platform.js';
import { type BackoffOptions, MyCallsSocket } from './socket.js';
import type { CallMedia, Session } from './types.js';

export interface MyCallsClientOptions {
  /** The server, e.g. `http://localhost:3000`. */
  readonly baseUrl: string;
  /** A token kept from an earlier sign-in (e.g. across a page reload). */
  readonly token?: string | null;
  readonly fetch?: FetchLike;
  readonly WebSocket?: WebSocketConstructor;
  readonly backoff?: BackoffOptions;
  /** Acknowledge logged frames once handled (default true): see `SocketOptions.autoAck`. */
  readonly autoAck?: boolean;
  /** Calls need both; without them `calls` is null. */
  readonly RTCPeerConnection?: RTCPeerConnectionConstructor;
  readonly getLocalStream?: (media: CallMedia) => Promise<MediaStreamLike>;
}

export class MyCallsClient {
  readonly api: MyCallsApi;
  readonly socket: MyCallsSocket;
  /** Null when no `getLocalStream` was given (a bot, a test without media). */
  readonly calls: CallManager | null;

  constructor(options: MyCallsClientOptions) {
    this.api = new MyCallsApi({
      baseUrl: options.baseUrl,
      token: options.token ?? null,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      connectionId: () => this.socket.connectionId,
    });
    this.socket = new MyCallsSocket({
      baseUrl: options.baseUrl,
      token: () => this.api.token,
      ...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.autoAck === undefined ? {} : { autoAck: options.autoAck }),
    });
    this.calls =
      options.getLocalStream === undefined
        ? null
        : new CallManager({
            api: this.api,
            socket: this.socket,
            getLocalStream: options.getLocalStream,
            ...(options.RTCPeerConnection === undefined
              ? {}
              : { RTCPeerConnection: options.RTCPeerConnection }),
          });
  }

  /** Opens the socket and resolves on its `ready` (rejects if it closes for good first). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.state === 'open') return resolve();
      const offState = this.socket.onState((state) => {
        if (state === 'open') {
          offState();
          resolve();
        } else if (state === 'unauthorized' || state === 'closed') {
          offState();
          reject(new Error(`The socket could not connect (${state}).`));
        }
      });
      this.socket.connect();
    });
  }

  /** Signs in, or signs up the first time, and connects. */
  async signInOrUp(credentials: {
    phoneNumber: string;
    password: string;
    displayName: string;
  }): Promise<Session> {
    let session: Session;
    try {
      session = await this.api.login({
        phoneNumber: credentials.phoneNumber,
        password: credentials.password,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'INVALID_CREDENTIALS') throw error;
      session = await this.api.register(credentials);
    }
    return session;
  }

  /** Sends `typing { to, active }` (see `MyCallsSocket.typing`); false when not connected. */
  typing(to: string, active: boolean): boolean {
    return this.socket.typing(to, active);
  }

  /** Hangs up, closes the socket and forgets the token (the session stays valid on the server). */
  close(): void {
    this.calls?.dispose();
    this.socket.close();
  }
}
