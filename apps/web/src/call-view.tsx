/** The call overlay: outgoing and incoming rings, the call itself (video, mute, camera, duration), and how it ended. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Call, CallEndReason, MediaStreamLike } from '../../../sdk/index.js';
import type { AppModel } from './model.js';
import { formatDuration } from './use-model.js';

const END_TEXT: Record<CallEndReason, string> = {
  hangup: 'Call ended',
  'remote-hangup': 'Call ended',
  declined: 'Call declined',
  busy: 'Busy: they are in another call',
  offline: 'Unavailable: they are not online',
  missed: 'Missed call',
  timeout: 'No answer',
  disconnected: 'Connection lost',
  'answered-elsewhere': 'Answered on another device',
  'rejected-elsewhere': 'Declined on another device',
  glare: 'You called each other at once',
  failed: 'The call could not start',
};

function Media(props: {
  stream: MediaStreamLike | null;
  muted: boolean;
  video: boolean;
  label: string;
  class: string;
}) {
  const ref = useRef<HTMLVideoElement & HTMLAudioElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (element !== null && element.srcObject !== props.stream) {
      element.srcObject = props.stream as MediaStream | null;
    }
  }, [props.stream]);
  return props.video ? (
    <video
      ref={ref}
      class={props.class}
      autoplay
      playsInline
      muted={props.muted}
      aria-label={props.label}
    />
  ) : (
    <audio ref={ref} autoplay muted={props.muted} aria-label={props.label} />
  );
}

export function CallOverlay({ model }: { model: AppModel }) {
  const call = model.client.calls?.current ?? null;
  const [, tick] = useState(0);
  const [dismissed, setDismissed] = useState<Call | null>(null);
  // The duration ticks while connected; an ended call stays visible for a few seconds.
  useEffect(() => {
    if (call === null) return;
    if (call.state === 'connected') {
      const timer = setInterval(() => tick((n) => n + 1), 1000);
      return () => clearInterval(timer);
    }
    if (call.state === 'ended') {
      const timer = setTimeout(() => setDismissed(call), 4000);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [call, call?.state]);
  if (call === null || dismissed === call) return null;

  const name = call.peerName ?? model.nameOf(call.peerId);
  const video = call.media === 'video';
  const title =
    call.state === 'incoming'
      ? `${name} is calling (${call.media})`
      : call.state === 'calling'
        ? `Calling ${name}…`
        : call.state === 'ringing'
          ? `Ringing ${name}…`
          : call.state === 'connecting'
            ? `Connecting to ${name}…`
            : call.state === 'connected'
              ? `In call with ${name}`
              : END_TEXT[call.endReason ?? 'hangup'];

  const body = (
    <>
      <h2 id="call-title">{title}</h2>
      {call.state === 'connected' && (
        <p class="duration" aria-live="off">
          {formatDuration(call.durationSec())}
        </p>
      )}
      {call.state === 'ended' && call.durationSec() > 0 && (
        <p class="duration">{formatDuration(call.durationSec())}</p>
      )}
      {call.error !== null && call.state === 'ended' && <p class="error">{call.error}</p>}
      {(call.state === 'connecting' || call.state === 'connected') && (
        <div class={`stage ${video ? 'video' : 'audio'}`}>
          <Media
            stream={call.remoteStream}
            muted={false}
            video={video}
            label={`${name}'s video`}
            class="remote"
          />
          {video && (
            <Media
              stream={call.localStream}
              muted={true}
              video={true}
              label="Your video"
              class="local"
            />
          )}
        </div>
      )}
      <div class="controls">
        {call.state === 'incoming' && (
          <>
            <button type="button" class="accept" onClick={() => void call.accept()}>
              Accept
            </button>
            <button type="button" class="decline" onClick={() => call.decline()}>
              Decline
            </button>
          </>
        )}
        {(call.state === 'connecting' || call.state === 'connected') && (
          <>
            <button
              type="button"
              aria-pressed={call.muted}
              onClick={() => call.setMuted(!call.muted)}
            >
              {call.muted ? 'Unmute' : 'Mute'}
            </button>
            {video && (
              <button
                type="button"
                aria-pressed={call.cameraOff}
                onClick={() => call.setCameraOff(!call.cameraOff)}
              >
                {call.cameraOff ? 'Camera on' : 'Camera off'}
              </button>
            )}
          </>
        )}
        {call.live && call.state !== 'incoming' && (
          <button type="button" class="decline" onClick={() => call.hangUp()}>
            Hang up
          </button>
        )}
        {call.state === 'ended' && (
          <button type="button" onClick={() => setDismissed(call)}>
            Close
          </button>
        )}
      </div>
    </>
  );
  const shared = { class: `call-overlay ${call.state}`, 'data-call-state': call.state };
  // An incoming call interrupts (alertdialog); the others are there to be used (dialog).
  return call.state === 'incoming' ? (
    <div role="alertdialog" aria-labelledby="call-title" {...shared}>
      {body}
    </div>
  ) : (
    <div role="dialog" aria-labelledby="call-title" {...shared}>
      {body}
    </div>
  );
}
