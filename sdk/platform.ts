/**
 * @module The few platform objects the SDK uses, described by shape only:
 * `fetch`, `WebSocket` and `RTCPeerConnection` as browsers, Node (with `ws`),
 * Deno, Bun and React Native (react-native-webrtc) provide them. No DOM or
 * Node typings are needed to compile the SDK, and any object of that shape
 * can be handed in (tests pass `ws`'s WebSocket on Node 20).
 */

export interface FetchResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<FetchResponseLike>;

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface MediaStreamTrackLike {
  readonly kind: string;
  enabled: boolean;
  stop(): void;
}

export interface MediaStreamLike {
  getTracks(): MediaStreamTrackLike[];
  getAudioTracks(): MediaStreamTrackLike[];
  getVideoTracks(): MediaStreamTrackLike[];
}

export interface SessionDescriptionLike {
  type: string;
  sdp?: string;
}

export interface IceCandidateInitLike {
  candidate?: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface IceCandidateLike extends IceCandidateInitLike {
  toJSON?(): IceCandidateInitLike;
}

export interface RtcConfigurationLike {
  iceServers?: { urls: string | string[]; username?: string; credential?: string }[];
}

export interface RTCPeerConnectionLike {
  readonly connectionState?: string;
  readonly remoteDescription: SessionDescriptionLike | null;
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null;
  ontrack:
    | ((event: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void)
    | null;
  onconnectionstatechange: ((event: unknown) => void) | null;
  addTrack(track: MediaStreamTrackLike, ...streams: MediaStreamLike[]): unknown;
  createOffer(): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  addIceCandidate(candidate: IceCandidateInitLike): Promise<void>;
  getStats(): Promise<unknown>;
  close(): void;
}

export type RTCPeerConnectionConstructor = new (
  configuration: RtcConfigurationLike,
) => RTCPeerConnectionLike;

/** What `globalThis` may hold; read without assuming a DOM. */
export const platform = globalThis as unknown as {
  fetch?: FetchLike;
  WebSocket?: WebSocketConstructor;
  RTCPeerConnection?: RTCPeerConnectionConstructor;
  crypto?: { randomUUID?: () => string };
};

/** Timers exist on every platform the SDK targets, but in no ECMAScript typings. */
export const timers = globalThis as unknown as {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};
