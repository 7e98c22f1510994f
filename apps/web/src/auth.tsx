/** Sign in, or create an account (with the phone verification step when the server asks for it). */
import { useState } from 'preact/hooks';
import { ApiError, MyCallsApi, type Session } from '../../../sdk/index.js';

type Mode = 'sign-in' | 'sign-up';

export function AuthScreen(props: { notice: string | null; onSignedIn: (s: Session) => void }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [phoneNumber, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [verificationId, setVerificationId] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const api = new MyCallsApi({ baseUrl: location.origin });

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  const register = async (withVerification: string | null) => {
    try {
      props.onSignedIn(
        await api.register({
          phoneNumber,
          password,
          displayName,
          username: username.trim() === '' ? null : username.trim(),
          verificationId: withVerification,
        }),
      );
    } catch (e) {
      if (
        e instanceof ApiError &&
        e.code === 'VERIFICATION_REQUIRED' &&
        withVerification === null
      ) {
        const verification = await api.startVerification({ phoneNumber });
        setVerificationId(verification.verificationId);
        return;
      }
      throw e;
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      if (mode === 'sign-in') props.onSignedIn(await api.login({ phoneNumber, password }));
      else if (verificationId === null) await register(null);
      else {
        await api.checkCode(verificationId, { code });
        await register(verificationId);
      }
    });
  };

  return (
    <main class="auth">
      <h1>My Calls</h1>
      <p class="tagline">Chat and call, right in your browser.</p>
      {props.notice !== null && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <nav class="tabs" aria-label="Sign in or create an account">
        <button type="button" aria-pressed={mode === 'sign-in'} onClick={() => setMode('sign-in')}>
          Sign in
        </button>
        <button type="button" aria-pressed={mode === 'sign-up'} onClick={() => setMode('sign-up')}>
          Create account
        </button>
      </nav>
      <form onSubmit={submit} class="card">
        <label>
          Phone number
          <input
            name="phoneNumber"
            type="tel"
            autocomplete="tel"
            required
            placeholder="+15550100001"
            value={phoneNumber}
            onInput={(e) => setPhone(e.currentTarget.value)}
          />
        </label>
        {mode === 'sign-up' && (
          <>
            <label>
              Display name
              <input
                name="displayName"
                autocomplete="name"
                required
                value={displayName}
                onInput={(e) => setDisplayName(e.currentTarget.value)}
              />
            </label>
            <label>
              Username (optional)
              <input
                name="username"
                autocomplete="username"
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'sign-up' ? 8 : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {mode === 'sign-up' && verificationId !== null && (
          <label>
            Code sent to {phoneNumber}
            <input
              name="code"
              inputMode="numeric"
              autocomplete="one-time-code"
              pattern="[0-9]{6}"
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </label>
        )}
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'sign-in'
            ? 'Sign in'
            : verificationId === null
              ? 'Create account'
              : 'Verify and create account'}
        </button>
      </form>
    </main>
  );
}

export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    const detail = error.details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return detail === '' ? error.message : `${error.message} (${detail})`;
  }
  return error instanceof Error ? error.message : String(error);
}
