import { useState } from 'preact/hooks';
import { type ApiError, createApiClient } from '../../lib/api.js';
import { ErrorMessage } from '../widgets.js';

/** Sign in with an API key; it is checked with one call and then kept in session storage only. */
export function SignIn({ notice, onSignIn }: { notice: string | null; onSignIn(key: string): void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await createApiClient(key.trim()).listSchedules({ limit: 1 });
      onSignIn(key.trim());
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1 tabIndex={-1}>Event Scheduler console</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          aria-describedby="api-key-help"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p id="api-key-help" class="help">
          The console calls the public API with this key and can do nothing the key cannot. It is kept in this tab’s
          session storage only, and forgotten when the tab closes or you sign out.
        </p>
        <ErrorMessage error={error} title="Sign-in failed" />
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
