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

      <PasswordForm model={model} onChanged={reload} />

      <section aria-labelledby="account-title" class="card">
        <h2 id="account-title">Account</h2>
        <button type="button" onClick={() => void model.signOut()}>
          Sign out
        </button>
        <DeleteAccount model={model} />
      </section>
    </div>
  );
}

function PasswordForm({ model, onChanged }: { model: AppModel; onChanged: () => Promise<void> }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setDone(null);
    const result = await model.guard(() =>
      model.client.api.changePassword({ currentPassword, newPassword }),
    );
    if (result === undefined) return;
    setCurrent('');
    setNew('');
    setDone(
      result.ended === 0
        ? 'Password changed.'
        : `Password changed; ${result.ended} other device${result.ended === 1 ? '' : 's'} signed out.`,
    );
    await onChanged();
  };
  return (
    <section aria-labelledby="password-title" class="card">
      <h2 id="password-title">Password</h2>
      <form onSubmit={submit}>
        <label>
          Current password
          <input
            type="password"
            autocomplete="current-password"
            required
            value={currentPassword}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <label>
          New password
          <input
            type="password"
            autocomplete="new-password"
            required
            minLength={8}
            value={newPassword}
            onInput={(e) => setNew(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Change password</button>
        {done !== null && <p role="status">{done}</p>}
      </form>
    </section>
  );
}

function DeleteAccount({ model }: { model: AppModel }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  if (!open) {
    return (
      <button type="button" class="decline" onClick={() => setOpen(true)}>
        Delete account…
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    const deleted = await model.guard(() => model.client.api.deleteAccount({ password }));
    if (deleted !== undefined || model.client.api.token === null) {
      model.signedOut('Your account was deleted.');
    }
  };
  return (
    <form onSubmit={submit} class="danger-zone">
      <p>
        This deletes your account for good: your name, number, devices and keys. The people you
        wrote to keep their copy of your conversations.
      </p>
      <label>
        Password to confirm
        <input
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <div class="row">
        <button type="submit" class="decline">
          Delete my account
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
