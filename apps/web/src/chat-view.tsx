/** One conversation: history with paging, live messages, the composer, and call/block actions. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppModel, Peer } from './model.js';
import { formatTime } from './use-model.js';

/** A sent message's tick: what reached the peer. */
const TICKS = { sent: '✓ Sent', delivered: '✓✓ Delivered', read: '✓✓ Read' } as const;

export function ChatView({ model, peer }: { model: AppModel; peer: Peer }) {
  const [draft, setDraft] = useState('');
  const list = useRef<HTMLOListElement>(null);
  const last = model.messages.at(-1)?._id;
  // Keep the newest message in view as messages arrive.
  useEffect(() => {
    const element = list.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [last]);
  const status = model.presence.get(peer._id)?.status ?? 'offline';
  const inCall = model.client.calls?.current?.live === true;

  const submit = async (event: Event) => {
    event.preventDefault();
    const content = draft;
    if (content.trim() === '') return;
    setDraft('');
    if (!(await model.send(content))) setDraft(content);
  };

  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-header">
        <button type="button" class="back" onClick={() => model.closeChat()}>
          Back
        </button>
        <h2 id="chat-title">
          {peer.displayName}
          <span class={`presence ${status}`}> {status}</span>
        </h2>
        {peer.deleted !== true && (
          <div class="actions">
            <button type="button" disabled={inCall} onClick={() => void model.call(peer, 'audio')}>
              Audio call
            </button>
            <button type="button" disabled={inCall} onClick={() => void model.call(peer, 'video')}>
              Video call
            </button>
            <button type="button" onClick={() => void model.toggleBlock(peer)}>
              {model.blocked.has(peer._id)
                ? `Unblock ${peer.displayName}`
                : `Block ${peer.displayName}`}
            </button>
          </div>
        )}
      </header>
      <ol
        class="messages"
        ref={list}
        aria-label={`Messages with ${peer.displayName}`}
        aria-live="polite"
      >
        {model.hasOlder && (
          <li class="older">
            <button type="button" onClick={() => void model.loadOlder()}>
              Load older messages
            </button>
          </li>
        )}
        {model.messages.map((message) => {
          const mine = message.senderId === model.session.userId;
          return (
            <li
              key={message._id}
              class={`message ${mine ? 'mine' : 'theirs'}`}
              data-message-id={message._id}
            >
              <span class="visually-hidden">{mine ? 'You' : peer.displayName}: </span>
              <span class="content">{message.content}</span>
              <time class="time" dateTime={message.createdAt}>
                {formatTime(message.createdAt)}
              </time>
              {mine && (
                <span
                  class="tick"
                  data-state={model.receipt(message)}
                  data-read={model.receipt(message) === 'read'}
                >
                  {TICKS[model.receipt(message)]}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {/* Always rendered, so screen readers hear the text as it comes and goes. */}
      <p class="typing-indicator" aria-live="polite">
        {model.isTyping(peer._id) ? `${peer.displayName} is typing…` : ''}
      </p>
      {peer.deleted === true ? (
        <p class="muted">This account was deleted.</p>
      ) : (
        <form class="composer" onSubmit={submit}>
          <label for="composer-input" class="visually-hidden">
            Message to {peer.displayName}
          </label>
          <input
            id="composer-input"
            name="message"
            autocomplete="off"
            value={draft}
            onInput={(e) => {
              setDraft(e.currentTarget.value);
              model.draftChanged(e.currentTarget.value);
            }}
            onBlur={() => model.stopTyping()}
            placeholder="Write a message"
          />
          <button type="submit" class="primary">
            Send
          </button>
        </form>
      )}
    </section>
  );
}
