/**
 * @module Audio and video calls over the server's signaling (docs/API.md
 * "Calls: the state machine"): `CallManager` places calls and receives
 * them, and each `Call` drives one `RTCPeerConnection` — ICE servers from
 * `GET /api/calls/ice-servers` fetched per call, the caller offers after
 * `call-accepted`, the callee answers, candidates flow both ways (held until
 * the remote description is set). The media itself never touches the server.
 */
import type { MyCallsApi } from './http.js';
import {
  type IceCandidateInitLike,
  type MediaStreamLike,
  platform,
  type RTCPeerConnectionConstructor,
  type RTCPeerConnectionLike,
} from './platform.js';
import type { MyCallsSocket } from './socket.js';
import type { CallMedia, ServerFrames } from './types.js';

/**
 * `calling` (sent, not yet ringing) → `ringing` → `connecting` → `connected`
 * for the caller; `incoming` → `connecting` → `connected` for the callee;
 * any of them → `ended`.
 */
export type CallState = 'calling' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

/** Why a call ended, as this side saw it. */
export type CallEndReason =
  /** This side hung up (or cancelled its ringing call). */
  | 'hangup'
  /** The other side hung up. */
  | 'remote-hangup'
  /** The callee declined (on this side: this device declined). */
  | 'declined'
  /** The callee was in another call. */
  | 'busy'
  /** The callee had no connection. */
  | 'offline'
  /** An incoming call the caller gave up on, or nobody answered in time. */
  | 'missed'
  | 'timeout'
  /** A connection (this one, the other side's, or the media path) was lost. */
  | 'disconnected'
  | 'answered-elsewhere'
  | 'rejected-elsewhere'
  | 'glare'
  /** Media could not start (no camera or microphone permission, no ICE path), or the server refused a frame. */
  | 'failed';

export interface CallManagerOptions {
  readonly api: MyCallsApi;
  readonly socket: MyCallsSocket;
  /** Default: the platform's `RTCPeerConnection`. */
  readonly RTCPeerConnection?: RTCPeerConnectionConstructor;
  /** Opens the microphone (and the camera for video); e.g. `navigator.mediaDevices.getUserMedia`. */
  readonly getLocalStream: (media: CallMedia) => Promise<MediaStreamLike>;
}

/** One call, placed or received. Read its fields after every `onChange`. */
export class Call {
  state: CallState;
  endReason: CallEndReason | null = null;
  /** The server's message when it refused one of this call's frames. */
  error: string | null = null;
  /** `Date.now()` when media started flowing; the duration counts from here. */
  connectedAt: number | null = null;
  endedAt: number | null = null;
  localStream: MediaStreamLike | null = null;
  remoteStream: MediaStreamLike | null = null;
  muted = false;
  cameraOff = false;
  peer: RTCPeerConnectionLike | null = null;
  private pendingCandidates: IceCandidateInitLike[] = [];

  constructor(
    private readonly manager: CallManager,
    /** The callId; null until the server names it (platforms without `crypto.randomUUID`). */
    public id: string | null,
    readonly peerId: string,
    readonly direction: 'outgoing' | 'incoming',
    readonly media: CallMedia,
    /** The caller's display name on an incoming call. */
    readonly peerName: string | null,
  ) {
    this.state = direction === 'outgoing' ? 'calling' : 'incoming';
  }

  get live(): boolean {
    return this.state !== 'ended';
  }

  /** Takes an incoming call: opens the microphone (and camera), then tells the caller. */
  async accept(): Promise<void> {
    if (this.state !== 'incoming' || this.id === null) return;
    this.setState('connecting');
    try {
      await this.prepare();
    } catch {
      if (this.live) this.manager.socket.send('call-rejected', { callId: this.id });
      this.end('failed');
      return;
    }
    if (!this.live) return;
    if (!this.manager.socket.send('call-accepted', { callId: this.id })) this.end('disconnected');
  }

  /** Declines an incoming call. */
  decline(): void {
    if (this.state !== 'incoming' || this.id === null) return;
    this.manager.socket.send('call-rejected', { callId: this.id });
    this.end('declined');
  }

  /** Hangs up (or cancels a ringing call, or declines an incoming one). */
  hangUp(): void {
    if (this.state === 'incoming') {
      this.decline();
      return;
    }
    if (!this.live) return;
    if (this.id !== null) this.manager.socket.send('call-ended', { callId: this.id });
    this.end('hangup');
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = !muted;
    this.manager.changed(this);
  }

  setCameraOff(off: boolean): void {
    this.cameraOff = off;
    for (const track of this.localStream?.getVideoTracks() ?? []) track.enabled = !off;
    this.manager.changed(this);
  }

  /** Whole seconds since media started (0 before). */
  durationSec(now: number = Date.now()): number {
    if (this.connectedAt === null) return 0;
    return Math.max(0, Math.floor(((this.endedAt ?? now) - this.connectedAt) / 1000));
  }

  // ---- driven by the manager ------------------------------------------------

  /** Media and ICE servers, then the peer connection. */
  async prepare(): Promise<void> {
    const [stream, ice] = await Promise.all([
      this.localStream === null ? this.manager.getLocalStream(this.media) : this.localStream,
      this.manager.api.iceServers(),
    ]);
    this.localStream = stream;
    if (!this.live) {
      this.stopLocal();
      return;
    }
    const peer = new this.manager.RTCPeerConnection({ iceServers: ice.iceServers });
    this.peer = peer;
    for (const track of stream.getTracks()) peer.addTrack(track, stream);
    peer.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (candidate === null || this.id === null || !candidate.candidate) return;
      const init = candidate.toJSON?.() ?? candidate;
      this.manager.socket.send('ice-candidate', {
        callId: this.id,
        candidate: init.candidate,
        sdpMid: init.sdpMid ?? null,
        sdpMLineIndex: init.sdpMLineIndex ?? null,
      });
    };
    peer.ontrack = (event) => {
      this.remoteStream = event.streams[0] ?? this.remoteStream;
      this.manager.changed(this);
    };
    peer.onconnectionstatechange = () => {
      if (peer.connectionState === 'connected' && this.state === 'connecting') {
        this.connectedAt = Date.now();
        this.setState('connected');
      } else if (peer.connectionState === 'failed' && this.live) {
        this.hangUpWith('failed');
      }
    };
    this.manager.changed(this);
  }

  async onAccepted(): Promise<void> {
    if (this.peer === null || this.id === null) return;
    this.setState('connecting');
    const offer = await this.peer.createOffer();
    await this.peer.setLocalDescription(offer);
    this.manager.socket.send('offer', { callId: this.id, sdp: offer.sdp });
  }

  async onOffer(sdp: string): Promise<void> {
    if (this.peer === null || this.id === null) return;
    await this.peer.setRemoteDescription({ type: 'offer', sdp });
    await this.flushCandidates();
    const answer = await this.peer.createAnswer();
    await this.peer.setLocalDescription(answer);
    this.manager.socket.send('answer', { callId: this.id, sdp: answer.sdp });
  }

  async onAnswer(sdp: string): Promise<void> {
    if (this.peer === null) return;
    await this.peer.setRemoteDescription({ type: 'answer', sdp });
    await this.flushCandidates();
  }

  async onCandidate(candidate: IceCandidateInitLike): Promise<void> {
    if (this.peer?.remoteDescription == null) {
      this.pendingCandidates.push(candidate);
      return;
    }
    await this.peer.addIceCandidate(candidate);
  }

  private async flushCandidates(): Promise<void> {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) await this.peer?.addIceCandidate(candidate);
  }

  setState(state: CallState): void {
    if (this.state === state || !this.live) return;
    this.state = state;
    this.manager.changed(this);
  }

  /** Tells the other side, then ends. */
  hangUpWith(reason: CallEndReason): void {
    if (!this.live) return;
    if (this.id !== null) this.manager.socket.send('call-ended', { callId: this.id });
    this.end(reason);
  }

  end(reason: CallEndReason, error: string | null = null): void {
    if (!this.live) return;
    this.state = 'ended';
    this.endReason = reason;
    this.error = error;
    this.endedAt = Date.now();
    this.peer?.close();
    this.stopLocal();
    this.manager.changed(this);
  }

  private stopLocal(): void {
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
  }
}

/** Places and receives the calls of one signed-in device. */
export class CallManager {
  /** The call shown now: live, or the last one that ended. */
  current: Call | null = null;
  readonly api: MyCallsApi;
  readonly socket: MyCallsSocket;
  readonly RTCPeerConnection: RTCPeerConnectionConstructor;
  readonly getLocalStream: (media: CallMedia) => Promise<MediaStreamLike>;
  private readonly listeners = new Set<(call: Call) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: CallManagerOptions) {
    this.api = options.api;
    this.socket = options.socket;
    const ctor = options.RTCPeerConnection ?? platform.RTCPeerConnection;
    if (ctor === undefined)
      throw new Error('No RTCPeerConnection here: pass options.RTCPeerConnection.');
    this.RTCPeerConnection = ctor;
    this.getLocalStream = options.getLocalStream;
    const s = this.socket;
    this.unsubscribe.push(
      s.on('call-user', (p) => this.onIncoming(p)),
      s.on('call-ringing', (p) => this.find(p.callId)?.setState('ringing')),
      s.on('call-accepted', (p) => this.run(this.find(p.callId), (call) => call.onAccepted())),
      s.on('call-rejected', (p) =>
        this.find(p.callId)?.end(p.reason === 'busy' ? 'busy' : 'declined'),
      ),
      s.on('call-unavailable', (p) => this.find(p.callId)?.end('offline')),
      s.on('call-ended', (p) => this.onEnded(p)),
      s.on('offer', (p) => this.run(this.find(p.callId), (call) => call.onOffer(String(p.sdp)))),
      s.on('answer', (p) => this.run(this.find(p.callId), (call) => call.onAnswer(String(p.sdp)))),
      s.on('ice-candidate', (p) =>
        this.run(this.find(p.callId), (call) =>
          call.onCandidate({
            candidate: String(p.candidate),
            sdpMid: (p.sdpMid as string | null | undefined) ?? null,
            sdpMLineIndex: (p.sdpMLineIndex as number | null | undefined) ?? null,
          }),
        ),
      ),
      s.on('error', (p) => {
        const call = this.current;
        if (call?.live && p.type !== undefined && CALL_FRAMES.has(p.type))
          call.end('failed', p.message);
      }),
      // The server ends the calls of a connection that closes.
      s.onState((state) => {
        if (state !== 'open' && this.current?.live) this.current.end('disconnected');
      }),
    );
  }

  /** Every change of any call (state, streams, mute), for re-rendering. */
  onChange(listener: (call: Call) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `to`: opens the microphone (and camera), then rings them. */
  async place(to: string, media: CallMedia): Promise<Call> {
    if (this.current?.live) throw new Error('Already in a call.');
    const call = new Call(
      this,
      platform.crypto?.randomUUID?.() ?? null,
      to,
      'outgoing',
      media,
      null,
    );
    this.current = call;
    this.changed(call);
    try {
      await call.prepare();
    } catch (error) {
      call.end('failed', error instanceof Error ? error.message : String(error));
      return call;
    }
    if (!call.live) return call;
    const sent = this.socket.send('call-user', {
      to,
      media,
      ...(call.id === null ? {} : { callId: call.id }),
    });
    if (!sent) call.end('disconnected');
    return call;
  }

  /** Stops listening to the socket (sign-out). */
  dispose(): void {
    this.current?.hangUp();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  changed(call: Call): void {
    for (const listener of this.listeners) listener(call);
  }

  private find(callId: string): Call | null {
    const call = this.current;
    if (call === null || !call.live) return null;
    // A server-named call: the first frame about it names it.
    if (call.id === null && call.direction === 'outgoing') call.id = callId;
    return call.id === callId ? call : null;
  }

  private onIncoming(payload: ServerFrames['call-user']): void {
    // While in a call the server answers the caller `busy` itself; a second
    // ring here is a glare call, which the server settles.
    if (this.current?.live) return;
    const call = new Call(
      this,
      payload.callId,
      payload.from,
      'incoming',
      payload.media,
      payload.fromDisplayName,
    );
    this.current = call;
    this.changed(call);
  }

  private onEnded(payload: ServerFrames['call-ended']): void {
    const call = this.find(payload.callId);
    if (call === null) return;
    if (call.state === 'incoming') {
      const reason =
        payload.reason === 'hangup' || payload.reason === 'timeout' ? 'missed' : payload.reason;
      call.end(reason === 'disconnected' ? 'missed' : reason);
      return;
    }
    call.end(payload.reason === 'hangup' ? 'remote-hangup' : payload.reason);
  }

  private run(call: Call | null, step: (call: Call) => Promise<void>): void {
    if (call === null) return;
    step(call).catch((error: unknown) => {
      call.hangUpWith('failed');
      call.error = error instanceof Error ? error.message : String(error);
    });
  }
}

const CALL_FRAMES = new Set([
  'call-user',
  'call-accepted',
  'call-rejected',
  'call-ended',
  'offer',
  'answer',
  'ice-candidate',
]);
