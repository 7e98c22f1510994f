/** Settings: profile, privacy, devices (sessions), blocked people, sign-out. */
import { useEffect, useState } from 'preact/hooks';
import type { BlockedUser, DeviceSession } from '../../../sdk/index.js';
import type { AppModel } from './model.js';

export function SettingsView({ model }: { model: AppModel }) {
  const me = model.me;
  const [displayName, setDisplayName] = useState(me?.displayName ?? '');
  const [username, setUsername] = useState(me?.username ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const [sessions, setSessions] = useState<DeviceSession[]>([]);
  const [blocked, setBlocked] = useState<BlockedUser[]>([]);
  const api = model.client.api;

  const reload = async () => {
    await model.guard(async () => {
      const [s, b] = await Promise.all([api.sessions(), api.blocked()]);
      setSessions(s);
      setBlocked(b);
    });
  };
  useEffect(() => {
    void reload();
  }, []);

  const saveProfile = async (event: Event) => {
    event.preventDefault();
    const account = await model.guard(() =>
      api.updateMe({ displayName, username: username.trim() === '' ? null : username.trim() }),
    );
    if (account !== undefined) {
      model.me = account;
      setSaved('Profile saved.');
      model.changed();
    }
  };

  const toggle = async (field: 'readReceipts' | 'typingIndicators', value: boolean) => {
    const account = await model.guard(() => api.updateMe({ [field]: value }));
    if (account !== undefined) {
      model.me = account;
      model.changed();
    }
  };

  return (
    <div class="settings">
      <section aria-labelledby="profile-title" class="card">
        <h2 id="profile-title">Profile</h2>
        <p class="muted">Phone number: {me?.phoneNumber ?? model.session.phoneNumber}</p>
        <form onSubmit={saveProfile}>
          <label>
            Display name
            <input
              name="displayName"
              required
              value={displayName}
              onInput={(e) => setDisplayName(e.currentTarget.value)}
            />
          </label>
          <label>
            Username
            <input
              name="username"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary">
            Save profile
          </button>
          {saved !== null && <p role="status">{saved}</p>}
        </form>
        {me !== null && (
          <fieldset>
            <legend>Privacy</legend>
            <label class="check">
              <input
                type="checkbox"
                checked={me.readReceipts}
                onChange={(e) => void toggle('readReceipts', e.currentTarget.checked)}
              />
              Send read receipts
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={me.typingIndicators}
                onChange={(e) => void toggle('typingIndicators', e.currentTarget.checked)}
              />
              Show when I am typing
            </label>
          </fieldset>
        )}
      </section>

      <section aria-labelledby="sessions-title" class="card">
        <h2 id="sessions-title">Devices</h2>
        <ul class="sessions">
          {sessions.map((session) => (
            <li key={session.sessionId}>
              <span class="name">{session.deviceName}</span>
              {session.current ? (
                <span class="muted"> (this device)</span>
              ) : (
                <button
                  type="button"
                  class="small"
                  onClick={async () => {
                    await model.guard(() => api.endSession(session.sessionId));
                    await reload();
                  }}
                >
                  Log out {session.deviceName}
                </button>
              )}
              <span class="muted">
                {' '}
                · last seen {new Date(session.lastSeenAt).toLocaleString()}
              </span>
            </li>
          ))}
        </ul>
        {sessions.length > 1 && (
          <button
            type="button"
            onClick={async () => {
              await model.guard(() => api.endOtherSessions());
              await reload();
            }}
          >
            Log out all other devices
          </button>
        )}
      </section>

      <section aria-labelledby="blocked-title" class="card">
        <h2 id="blocked-title">Blocked people</h2>
        {blocked.length === 0 && <p class="muted">Nobody is blocked.</p>}
        <ul>
          {blocked.map((user) => (
            <li key={user.userId}>
              {user.displayName}{' '}
              <button
                type="button"
                class="small"
                onClick={async () => {
                  await model.guard(() => api.unblock(user.userId));
                  await reload();
                }}
              >
                Unblock {user.displayName}
              </button>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="account-title" class="card">
        <h2 id="account-title">Account</h2>
        <button type="button" onClick={() => void model.signOut()}>
          Sign out
        </button>
      </section>
    </div>
  );
}
