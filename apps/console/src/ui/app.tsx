import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApiClient } from '../lib/api.js';
import { parseRoute, type Route } from '../lib/route.js';
import { forgetKey, loadKey, saveKey } from '../lib/session.js';
import { Console, type ConsoleContext } from './context.js';
import { Overview } from './pages/overview.js';
import { ScheduleDetail } from './pages/schedule-detail.js';
import { ScheduleEditor } from './pages/schedule-form.js';
import { Schedules } from './pages/schedules.js';
import { SignIn } from './pages/sign-in.js';
import { Signing } from './pages/signing.js';

const NAV: { href: string; label: string; pages: Route['page'][] }[] = [
  { href: '#/overview', label: 'Overview', pages: ['overview'] },
  { href: '#/schedules', label: 'Schedules', pages: ['schedules', 'schedule', 'new-schedule', 'edit-schedule'] },
  { href: '#/signing', label: 'Signed callbacks', pages: ['signing'] },
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [key, setKey] = useState(() => loadKey(sessionStorage));
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const route = useRoute();

  const signOut = (reason: string | null) => {
    forgetKey(sessionStorage);
    setKey(null);
    setSignedOutBecause(reason);
  };

  const context = useMemo<ConsoleContext | null>(() => {
    if (!key) return null;
    // A revoked key signs the console out at its next call: it can do nothing the key cannot.
    const guarded = async (input: string, init?: RequestInit) => {
      const response = await fetch(input, init);
      if (response.status === 401) signOut('The API key was refused (unknown or revoked). Sign in again.');
      return response;
    };
    return {
      api: createApiClient(key, guarded),
      notify: (message) => {
        setStatus(message);
        setTimeout(() => setStatus((current) => (current === message ? '' : current)), 5000);
      },
      navigate: (href) => {
        location.hash = href;
      },
    };
  }, [key]);

  // A new page moves the focus to its heading, so keyboard and screen reader users start there.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route, key]);

  if (!context) {
    return (
      <SignIn
        notice={signedOutBecause}
        onSignIn={(newKey) => {
          saveKey(sessionStorage, newKey);
          setSignedOutBecause(null);
          setKey(newKey);
        }}
      />
    );
  }

  return (
    <Console.Provider value={context}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Event Scheduler</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link-button" onClick={() => signOut(null)}>
          Sign out
        </button>
      </header>
      <main id="main">
        <Page route={route} />
      </main>
      <p class="status-line" role="status" aria-live="polite">
        {status}
      </p>
    </Console.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'schedules':
      return <Schedules query={route.query} />;
    case 'new-schedule':
      return <ScheduleEditor />;
    case 'schedule':
      return <ScheduleDetail id={route.id} />;
    case 'edit-schedule':
      return <ScheduleEditor id={route.id} />;
    case 'signing':
      return <Signing />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            Nothing lives at <code>#/{route.path}</code>. <a href="#/overview">Go to the overview</a>.
          </p>
        </>
      );
  }
}
