/**
 * The console's pages, addressed by the URL fragment (`/ui/#/schedules/abc`): the API serves one
 * index.html, so no path needs a server-side fallback, and the back button works.
 */
export type Route =
  | { page: 'overview' }
  | { page: 'schedules'; query: { page: number; status: string; name: string } }
  | { page: 'new-schedule' }
  | { page: 'schedule'; id: string }
  | { page: 'edit-schedule'; id: string }
  | { page: 'signing' }
  | { page: 'not-found'; path: string };

const positive = (text: string | null) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : 1;
};

/** The route a fragment names (`#/...`; empty means the overview). */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(search);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === 'overview' && parts.length === 1)) return { page: 'overview' };
  if (first === 'signing' && parts.length === 1) return { page: 'signing' };
  if (first === 'schedules') {
    if (parts.length === 1) {
      return {
        page: 'schedules',
        query: {
          page: positive(params.get('page')),
          status: params.get('status') ?? '',
          name: params.get('name') ?? '',
        },
      };
    }
    if (second === 'new' && parts.length === 2) return { page: 'new-schedule' };
    if (second && parts.length === 2) return { page: 'schedule', id: second };
    if (second && third === 'edit' && parts.length === 3) return { page: 'edit-schedule', id: second };
  }
  return { page: 'not-found', path };
}

/** The fragment of a route: the inverse of parseRoute. */
export function routeHref(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/overview';
    case 'signing':
      return '#/signing';
    case 'new-schedule':
      return '#/schedules/new';
    case 'schedule':
      return `#/schedules/${encodeURIComponent(route.id)}`;
    case 'edit-schedule':
      return `#/schedules/${encodeURIComponent(route.id)}/edit`;
    case 'schedules': {
      const { page, status, name } = route.query;
      const params = new URLSearchParams();
      if (page > 1) params.set('page', String(page));
      if (status) params.set('status', status);
      if (name) params.set('name', name);
      const search = params.toString();
      return `#/schedules${search ? `?${search}` : ''}`;
    }
    case 'not-found':
      return `#/${route.path}`;
  }
}
