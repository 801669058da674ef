import { useState } from 'preact/hooks';
import { formatInstant, formatRelative, formatWallTime } from '../../lib/format.js';
import { routeHref } from '../../lib/route.js';
import type { Schedule } from '../../lib/types.js';
import { useConsole } from '../context.js';
import { useAction, useLoad } from '../hooks.js';
import { ConfirmDialog, ErrorMessage, Loading, StatusBadge } from '../widgets.js';
import { EventHistory, PendingEvents } from './schedule-events.js';

/** How often the page looks for new events: a delivery shows up within this long. */
const REFRESH_MS = 3000;

/** One schedule: its settings, the actions on it, its upcoming occurrences and its history. */
export function ScheduleDetail({ id }: { id: string }) {
  const { api, notify, navigate } = useConsole();
  const schedule = useLoad(() => api.getSchedule(id), [api, id], REFRESH_MS);
  const action = useAction();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const s = schedule.data;

  const act = async (label: string, run: () => Promise<unknown>) => {
    const done = await action.run(run);
    if (done !== undefined) {
      notify(label);
      await schedule.reload();
    }
  };

  if (!s) {
    return (
      <>
        <h1 tabIndex={-1}>Schedule</h1>
        {schedule.error ? (
          <ErrorMessage error={schedule.error} title="Could not load the schedule" />
        ) : (
          <Loading what="the schedule" />
        )}
        <p>
          <a href="#/schedules">Back to the schedules</a>
        </p>
      </>
    );
  }

  return (
    <>
      <p class="breadcrumb">
        <a href="#/schedules">Schedules</a> /
      </p>
      <div class="page-head">
        <h1 tabIndex={-1}>{s.name}</h1>
        <StatusBadge status={s.status} />
      </div>
      <div class="toolbar">
        <a class="button" href={routeHref({ page: 'edit-schedule', id })}>
          Edit
        </a>
        {s.status === 'paused' ? (
          <button type="button" disabled={action.busy} onClick={() => act('Schedule resumed.', () => api.resume(id))}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            disabled={action.busy || s.status !== 'active'}
            onClick={() => act('Schedule paused.', () => api.pause(id))}
          >
            Pause
          </button>
        )}
        <button
          type="button"
          disabled={action.busy}
          onClick={() => act('Occurrence triggered: it is being delivered now.', () => api.trigger(id))}
        >
          Trigger now
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </div>
      <ErrorMessage error={action.error} title="The action failed" />
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this schedule?"
        confirmLabel="Delete schedule"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={async () => {
          setConfirmDelete(false);
          const done = await action.run(async () => {
            await api.deleteSchedule(id);
            return true;
          });
          if (done) {
            notify(`Schedule “${s.name}” deleted.`);
            navigate('#/schedules');
          }
        }}
      >
        <p>
          “{s.name}” stops firing at once and disappears from every list. Its past events stay readable by id. This
          cannot be undone.
        </p>
      </ConfirmDialog>
      <Settings schedule={s} />
      <NextOccurrences schedule={s} />
      <PendingEvents scheduleId={id} refreshMs={REFRESH_MS} />
      <EventHistory scheduleId={id} refreshMs={REFRESH_MS} />
    </>
  );
}

function Settings({ schedule: s }: { schedule: Schedule }) {
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <dl class="settings">
        <dt>Rule</dt>
        <dd>
          <pre class="rule">{s.rrule}</pre>
        </dd>
        <dt>Time zone</dt>
        <dd>{s.timezone}</dd>
        <dt>Callback</dt>
        <dd class="break">
          <code>{s.method}</code> {s.callback_url}
        </dd>
        <dt>Next run</dt>
        <dd>
          {formatInstant(s.next_run_at, s.timezone)}
          {s.next_run_at ? <span class="muted"> ({formatRelative(s.next_run_at, Date.now())})</span> : null}
        </dd>
        <dt>Last run</dt>
        <dd>{formatInstant(s.last_run_at, s.timezone)}</dd>
        {s.paused_reason ? (
          <>
            <dt>Paused because</dt>
            <dd>{s.paused_reason}</dd>
          </>
        ) : null}
        <dt>Retries</dt>
        <dd>
          {s.retry_policy.max_attempts} attempt{s.retry_policy.max_attempts === 1 ? '' : 's'} in all; timeout{' '}
          {s.timeout_ms} ms; misfire {s.misfire_policy}; overlap {s.overlap_policy}
        </dd>
        <dt>Version</dt>
        <dd>{s.version}</dd>
      </dl>
    </section>
  );
}

function NextOccurrences({ schedule }: { schedule: Schedule }) {
  const { api } = useConsole();
  const next = useLoad(() => api.occurrences(schedule.id, 5), [api, schedule.id, schedule.version, schedule.status]);
  return (
    <section aria-labelledby="next-heading">
      <h2 id="next-heading">Next occurrences</h2>
      <ErrorMessage error={next.error} title="Could not compute the next occurrences" />
      {!next.data ? (
        <Loading what="occurrences" />
      ) : next.data.occurrences.length === 0 ? (
        <p class="muted">The rule fires no more.</p>
      ) : (
        <ol class="occurrences">
          {next.data.occurrences.map((o) => (
            <li key={o.at}>
              {formatWallTime(o.local, o.offset)} <span class="muted">· your time {formatInstant(o.at)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
