import { useState } from 'preact/hooks';
import { formatDuration, formatInstant } from '../../lib/format.js';
import type { Attempt, EventItem } from '../../lib/types.js';
import { useConsole } from '../context.js';
import { useAction, useLoad } from '../hooks.js';
import { ErrorMessage, Loading, Pagination, StatusBadge } from '../widgets.js';

const PAGE_SIZE = 10;

/** Events planned and not finished yet, the next first. */
export function PendingEvents({ scheduleId, refreshMs }: { scheduleId: string; refreshMs: number }) {
  const { api } = useConsole();
  const [page, setPage] = useState(1);
  const pending = useLoad(() => api.pendingEvents(scheduleId, page, PAGE_SIZE), [api, scheduleId, page], refreshMs);
  return (
    <section aria-labelledby="pending-heading">
      <h2 id="pending-heading">Upcoming events</h2>
      <ErrorMessage error={pending.error} title="Could not load the upcoming events" />
      {!pending.data ? (
        <Loading what="upcoming events" />
      ) : pending.data.events.length === 0 ? (
        <p class="muted">Nothing planned yet: occurrences are planned about ten minutes ahead.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Due</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {pending.data.events.map((e) => (
                <tr key={e.id}>
                  <td>{formatInstant(e.occurrence_at)}</td>
                  <td>{e.kind}</td>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td>{e.attempts.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pending.data ? <Pagination label="Upcoming event pages" {...pending.data} onPage={setPage} /> : null}
    </section>
  );
}

/** Finished events, the latest first, each with its attempts; a failed one can be redelivered. */
export function EventHistory({ scheduleId, refreshMs }: { scheduleId: string; refreshMs: number }) {
  const { api } = useConsole();
  const [page, setPage] = useState(1);
  const history = useLoad(() => api.eventHistory(scheduleId, page, PAGE_SIZE), [api, scheduleId, page], refreshMs);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <ErrorMessage error={history.error} title="Could not load the history" />
      {!history.data ? (
        <Loading what="history" />
      ) : history.data.events.length === 0 ? (
        <p class="muted">No occurrence has finished yet.</p>
      ) : (
        <ul class="history" aria-live="polite">
          {history.data.events.map((e) => (
            <HistoryEntry key={e.id} event={e} onRetried={history.reload} />
          ))}
        </ul>
      )}
      {history.data ? <Pagination label="History pages" {...history.data} onPage={setPage} /> : null}
    </section>
  );
}

function HistoryEntry({ event: e, onRetried }: { event: EventItem; onRetried: () => Promise<void> }) {
  const { api, notify } = useConsole();
  const retry = useAction();
  const last = e.attempts.at(-1);
  return (
    <li class="history-entry">
      <details>
        <summary>
          <StatusBadge status={e.status} /> <span>{formatInstant(e.occurrence_at)}</span>
          <span class="muted">
            {' '}
            · {e.kind} · {e.attempts.length} attempt{e.attempts.length === 1 ? '' : 's'}
            {last?.status_code ? ` · HTTP ${last.status_code}` : ''}
          </span>
        </summary>
        <p class="muted">
          Event <code>{e.id}</code> (also its webhook-id); finished {formatInstant(e.finished_at)}.
        </p>
        {e.attempts.length ? <Attempts attempts={e.attempts} /> : <p class="muted">No attempt was made.</p>}
      </details>
      {e.status === 'failed' ? (
        <div class="entry-actions">
          <button
            type="button"
            disabled={retry.busy}
            onClick={async () => {
              if (await retry.run(() => api.retryEvent(e.id))) {
                notify('Redelivery requested.');
                await onRetried();
              }
            }}
          >
            Retry
          </button>
          <ErrorMessage error={retry.error} title="Retry failed" />
        </div>
      ) : null}
    </li>
  );
}

function Attempts({ attempts }: { attempts: Attempt[] }) {
  return (
    <div class="table-wrap">
      <table class="attempts">
        <caption class="visually-hidden">Attempts</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Error</th>
            <th scope="col">Response</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.number}>
              <td>{a.number}</td>
              <td>{formatInstant(a.started_at)}</td>
              <td>{a.status_code ?? '—'}</td>
              <td>{formatDuration(a.duration_ms)}</td>
              <td>{a.error_kind ? `${a.error_kind}${a.error_message ? `: ${a.error_message}` : ''}` : '—'}</td>
              <td>{a.response_snippet ? <code class="snippet">{a.response_snippet}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
