/** The web app's entry: the sign-in screen, or the app for the tab's session. */
import './app.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Session } from '../../../sdk/index.js';
import { AuthScreen } from './auth.js';
import { MainScreen } from './main-screen.js';
import { AppModel } from './model.js';
import { loadSession, saveSession } from './session-store.js';

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<string | null>(null);
  const model = useMemo(
    () =>
      session === null
        ? null
        : new AppModel(session, (reason) => {
            saveSession(null);
            setNotice(reason);
            setSession(null);
          }),
    [session],
  );
  useEffect(() => {
    model?.start();
  }, [model]);

  if (model === null) {
    return (
      <AuthScreen
        notice={notice}
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          setNotice(null);
          setSession(signedIn);
        }}
      />
    );
  }
  return <MainScreen model={model} />;
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
