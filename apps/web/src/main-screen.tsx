/** The signed-in app: navigation, people and conversations, the chat, call history, settings, and the call overlay. */
import { useState } from 'preact/hooks';
import type { Contact } from '../../../sdk/index.js';
import { describe } from './auth.js';
import { CallOverlay } from './call-view.js';
import { ChatView } from './chat-view.js';
import type { AppModel, Peer } from './model.js';
import { SettingsView } from './settings-view.js';
import { formatDuration, useModel } from './use-model.js';

const CONNECTION_TEXT = {
  idle: 'Connecting…',
  connecting: 'Connecting…',
  open: 'Online',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out',
  closed: 'Offline',
} as const;

export function MainScreen({ model }: { model: AppModel }) {
  useModel(model);
  const tab = model.tab;
  return (
    <div class={`shell ${model.activePeer !== null && tab === 'chats' ? 'chat-open' : ''}`}>
      <header class="top">
        <h1>My Calls</h1>
        <span class={`connection ${model.connection}`} role="status">
          {CONNECTION_TEXT[model.connection]}
        </span>
        <span class="me">{model.me?.displayName ?? model.session.displayName}</span>
        <nav aria-label="Sections">
          {(['chats', 'calls', 'settings'] as const).map((name) => (
            <button
              type="button"
              key={name}
              aria-current={tab === name ? 'page' : undefined}
              onClick={() => model.setTab(name)}
            >
              {name === 'chats' ? 'Chats' : name === 'calls' ? 'Calls' : 'Settings'}
            </button>
          ))}
        </nav>
      </header>
      {model.notice !== null && (
        <div class="notice" role="alert">
          {model.notice}{' '}
          <button type="button" onClick={() => model.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      {tab === 'chats' && (
        <div class="panes">
          <aside class="sidebar" aria-label="People and conversations">
            <FindPeople model={model} />
            <ConversationList model={model} />
          </aside>
          <main class="content">
            {model.activePeer === null ? (
              <p class="empty">Find someone by phone number or username, or pick a conversation.</p>
            ) : (
              <ChatView model={model} peer={model.activePeer} />
            )}
          </main>
        </div>
      )}
      {tab === 'calls' && (
        <main class="content single">
          <CallHistory model={model} />
        </main>
      )}
      {tab === 'settings' && (
        <main class="content single">
          <SettingsView model={model} />
        </main>
      )}
      <CallOverlay model={model} />
    </div>
  );
}

function FindPeople({ model }: { model: AppModel }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Peer[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const search = async (event: Event) => {
    event.preventDefault();
    const q = query.trim();
    if (q === '') return;
    setError(null);
    try {
      if (/^[+0-9][0-9 ()./-]*$/.test(q)) {
        const found: Contact[] = await model.client.api.lookup([q]);
        setResults(found);
      } else {
        setResults([await model.client.api.byUsername(q.replace(/^@/, ''))]);
      }
    } catch (e) {
      setResults([]);
      if ((e as { code?: string }).code !== 'USER_NOT_FOUND') setError(describe(e));
    }
  };

  return (
    <section class="find" aria-labelledby="find-title">
      <h2 id="find-title">Find people</h2>
      <form onSubmit={search} aria-label="Find people">
        <label for="find-query">Phone number or username</label>
        <div class="row">
          <input
            id="find-query"
            name="query"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            placeholder="+15550100002 or alice_w"
          />
          <button type="submit">Search</button>
        </div>
      </form>
      {error !== null && <p class="error">{error}</p>}
      {results !== null && (
        <ul class="results" aria-label="Search results">
          {results.length === 0 && <li class="muted">Nobody found.</li>}
          {results.map((peer) => (
            <li key={peer._id}>
              <span class="name">{peer.displayName}</span>
              {peer.username !== null && <span class="muted"> @{peer.username}</span>}
              <div class="actions">
                <button
                  type="button"
                  onClick={() => {
                    setResults(null);
                    setQuery('');
                    void model.openChat(peer);
                  }}
                >
                  Message {peer.displayName}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ConversationList({ model }: { model: AppModel }) {
  return (
    <section aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      {model.conversations.length === 0 && <p class="muted">No conversations yet.</p>}
      <ul class="conversations">
        {model.conversations.map((conversation) => {
          const peer = conversation.peer;
          const unread = model.unread.get(peer._id) ?? 0;
          const status = model.presence.get(peer._id)?.status ?? 'offline';
          const last = conversation.lastMessage;
          const mine = last.senderId === model.session.userId;
          return (
            <li key={conversation._id}>
              <button
                type="button"
                class={`conversation ${model.activePeer?._id === peer._id ? 'active' : ''}`}
                onClick={() => void model.openChat(peer)}
              >
                <span class={`dot ${status}`} aria-hidden="true" />
                <span class="name">{peer.displayName}</span>
                <span class="visually-hidden">, {status}, </span>
                {unread > 0 && (
                  <span class="badge">
                    {unread}
                    <span class="visually-hidden"> unread, </span>
                  </span>
                )}
                {model.isTyping(peer._id) ? (
                  <span class="last typing">typing…</span>
                ) : (
                  <span class="last">
                    {mine ? 'You: ' : ''}
                    {last.content}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

const STATUS_TEXT: Record<string, string> = {
  completed: 'Completed',
  rejected: 'Declined',
  missed: 'Missed',
  busy: 'Busy',
  unavailable: 'Unavailable',
  glare: 'Crossed calls',
  ringing: 'Ringing',
  ongoing: 'Ongoing',
};

function CallHistory({ model }: { model: AppModel }) {
  return (
    <section aria-labelledby="calls-title">
      <h2 id="calls-title">Call history</h2>
      {model.calls.length === 0 && <p class="muted">No calls yet.</p>}
      <ul class="calls">
        {model.calls.map((call) => {
          const outgoing = call.callerId === model.session.userId;
          const other = model.otherParty(call);
          const peer = model.peers.get(other);
          return (
            <li key={call._id} class={`call-row ${call.status}`} data-status={call.status}>
              <span class="direction">{outgoing ? 'Outgoing' : 'Incoming'}</span>{' '}
              <span class="media">{call.media === 'video' ? 'video' : 'audio'} call</span>{' '}
              <span class="name">
                {outgoing ? 'to' : 'from'} {model.nameOf(other)}
              </span>{' '}
              <span class="status">{STATUS_TEXT[call.status] ?? call.status}</span>
              {call.durationSec !== null && (
                <span class="duration"> · {formatDuration(call.durationSec)}</span>
              )}
              <time dateTime={call.startedAt} class="muted">
                {' '}
                {new Date(call.startedAt).toLocaleString()}
              </time>
              {peer !== undefined && (
                <button
                  type="button"
                  class="small"
                  onClick={() => void model.call(peer, call.media)}
                >
                  Call back<span class="visually-hidden"> {peer.displayName}</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
