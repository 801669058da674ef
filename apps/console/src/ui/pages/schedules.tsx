import { useState } from 'preact/hooks';
import { formatInstant } from '../../lib/format.js';
import { routeHref } from '../../lib/route.js';
import type { Schedule } from '../../lib/types.js';
import { useConsole } from '../context.js';
import { useLoad } from '../hooks.js';
import { ErrorMessage, Loading, Pagination, StatusBadge } from '../widgets.js';

const PAGE_SIZE = 20;

type Query = { page: number; status: string; name: string };

const hrefOf = (query: Query) => routeHref({ page: 'schedules', query });

/** Every schedule of the tenant: search by name, filter by status, a page at a time. */
export function Schedules({ query }: { query: Query }) {
  const { api, navigate } = useConsole();
  const list = useLoad(
    () =>
      api.listSchedules({
        page: query.page,
        limit: PAGE_SIZE,
        status: query.status as Schedule['status'] | '',
        name: query.name,
      }),
    [api, query.page, query.status, query.name],
  );
  const [name, setName] = useState(query.name);
  const [status, setStatus] = useState(query.status);

  const search = (event: Event) => {
    event.preventDefault();
    navigate(hrefOf({ page: 1, status, name: name.trim() }));
  };

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Schedules</h1>
        <a class="button primary" href="#/schedules/new">
          New schedule
        </a>
      </div>
      <form class="filters" onSubmit={search} aria-label="Filter schedules">
        <div class="field">
          <label for="filter-name">Name contains</label>
          <input id="filter-name" type="search" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="paused">Paused</option>
            <option value="completed">Completed</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={list.error} title="Could not load the schedules" />
      {!list.data ? (
        <Loading what="schedules" />
      ) : list.data.schedules.length === 0 ? (
        <p>
          {query.name || query.status ? 'No schedule matches.' : 'No schedules yet.'}{' '}
          <a href="#/schedules/new">Create one</a>.
        </p>
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {list.data.total} schedule{list.data.total === 1 ? '' : 's'}
          </p>
          <table class="schedules cards-on-phone">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">Last outcome</th>
              </tr>
            </thead>
            <tbody>
              {list.data.schedules.map((s) => (
                <tr key={s.id}>
                  <th scope="row" data-label="Name">
                    <a href={routeHref({ page: 'schedule', id: s.id })}>{s.name}</a>
                  </th>
                  <td data-label="Status">
                    <StatusBadge status={s.status} />
                  </td>
                  <td data-label="Next run">{formatInstant(s.next_run_at)}</td>
                  <td data-label="Last run">{formatInstant(s.last_run_at)}</td>
                  <td data-label="Last outcome">
                    <LastOutcome schedule={s} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            label="Schedule pages"
            page={list.data.page}
            limit={list.data.limit}
            total={list.data.total}
            hrefOf={(page) => hrefOf({ ...query, page })}
          />
        </>
      )}
    </>
  );
}

/**
 * The outcome of the schedule's latest delivery: the first entry of its history (newest occurrence
 * first) that was not cancelled, since a pause or an edit cancels occurrences that never ran.
 */
function LastOutcome({ schedule }: { schedule: Schedule }) {
  const { api } = useConsole();
  const latest = useLoad(() => api.eventHistory(schedule.id, 1, 10), [api, schedule.id, schedule.last_run_at]);
  if (latest.error) return <span class="muted">unknown</span>;
  if (!latest.data) return <span class="muted">…</span>;
  const event = latest.data.events.find((e) => e.status !== 'cancelled');
  return event ? <StatusBadge status={event.status} /> : <span class="muted">none yet</span>;
}
