import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../../lib/api.js';
import { EMPTY_FORM, type FieldError, fieldOf, formOf, type ScheduleForm, toInput } from '../../lib/form.js';
import { routeHref } from '../../lib/route.js';
import { CALLBACK_METHODS, MISFIRE_POLICIES, OVERLAP_POLICIES, type Preview } from '../../lib/types.js';
import { useConsole } from '../context.js';
import { useAction, useDebounced, useLoad } from '../hooks.js';
import { ErrorMessage, Loading } from '../widgets.js';
import { RulePreview } from './rule-preview.js';

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

/** Create a schedule (no id) or edit one. */
export function ScheduleEditor({ id }: { id?: string }) {
  const { api } = useConsole();
  const existing = useLoad(() => (id ? api.getSchedule(id) : Promise.resolve(undefined)), [api, id]);
  if (id && !existing.data) {
    return (
      <>
        <h1 tabIndex={-1}>Edit schedule</h1>
        {existing.error ? <ErrorMessage error={existing.error} /> : <Loading what="the schedule" />}
      </>
    );
  }
  return <Editor id={id} initial={existing.data ? formOf(existing.data) : EMPTY_FORM} />;
}

function Editor({ id, initial }: { id: string | undefined; initial: ScheduleForm }) {
  const { api, notify, navigate } = useConsole();
  const [form, setForm] = useState(initial);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const save = useAction();
  const set = (field: keyof ScheduleForm) => (e: { currentTarget: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: e.currentTarget.value }));

  // The preview follows the rule and the zone as they are typed, once typing pauses.
  const rule = { rrule: useDebounced(form.rrule.trim(), 350), timezone: useDebounced(form.timezone.trim(), 350) };
  const [preview, setPreview] = useState<{ data?: Preview; error?: ApiError; busy: boolean }>({ busy: false });
  useEffect(() => {
    if (!rule.rrule) return setPreview({ busy: false });
    let current = true;
    setPreview((p) => ({ ...p, busy: true }));
    api.preview(rule.rrule, rule.timezone || undefined).then(
      (data) => current && setPreview({ data, busy: false }),
      (error: ApiError) => current && setPreview({ error, busy: false }),
    );
    return () => {
      current = false;
    };
  }, [api, rule.rrule, rule.timezone]);

  const errorsOf = useMemo(() => {
    const all: FieldError[] = [...fieldErrors];
    for (const d of preview.error?.details ?? []) {
      const field = fieldOf(d.field);
      all.push({
        field: field === 'timezone' ? 'timezone' : 'rrule',
        message: d.part ? `${d.message} (“${d.part}”)` : d.message,
      });
    }
    if (preview.error && !preview.error.details.length) all.push({ field: 'rrule', message: preview.error.message });
    return (field: keyof ScheduleForm) => all.filter((e) => e.field === field).map((e) => e.message);
  }, [fieldErrors, preview.error]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const built = toInput(form, id ? initial : undefined);
    if ('errors' in built) return setFieldErrors(built.errors);
    setFieldErrors([]);
    const saved = await save.run(() => (id ? api.updateSchedule(id, built.input) : api.createSchedule(built.input)));
    if (!saved) return;
    notify(id ? 'Schedule saved.' : `Schedule “${saved.name}” created.`);
    navigate(routeHref({ page: 'schedule', id: saved.id }));
  };

  useEffect(() => {
    const details = save.error?.details ?? [];
    setFieldErrors(
      details.flatMap((d) => {
        const field = fieldOf(d.field);
        return field ? [{ field, message: d.message }] : [];
      }),
    );
  }, [save.error]);

  const field = (
    name: keyof ScheduleForm,
    label: string,
    input: (a11y: Record<string, unknown>) => JSX.Element,
    help?: string,
  ) => {
    const errors = errorsOf(name);
    const describedBy = [help ? `${name}-help` : '', errors.length ? `${name}-error` : ''].filter(Boolean).join(' ');
    return (
      <div class="field">
        <label for={`f-${name}`}>{label}</label>
        {input({
          id: `f-${name}`,
          name,
          'aria-invalid': errors.length ? 'true' : undefined,
          'aria-describedby': describedBy || undefined,
        })}
        {help ? (
          <p id={`${name}-help`} class="help">
            {help}
          </p>
        ) : null}
        {errors.length ? (
          <p id={`${name}-error`} class="field-error">
            {errors.join(' ')}
          </p>
        ) : null}
      </div>
    );
  };

  return (
    <>
      <h1 tabIndex={-1}>{id ? `Edit “${initial.name}”` : 'New schedule'}</h1>
      <div class="editor">
        <form onSubmit={submit} novalidate>
          <ErrorMessage error={save.error} title={id ? 'Could not save' : 'Could not create the schedule'} />
          {field('name', 'Name', (a) => (
            <input {...a} required value={form.name} onInput={set('name')} />
          ))}
          {field(
            'rrule',
            'Rule (RRULE)',
            (a) => (
              <textarea {...a} required rows={4} spellcheck={false} value={form.rrule} onInput={set('rrule')} />
            ),
            'RFC 5545: FREQ=DAILY;BYHOUR=9, or lines such as DTSTART;TZID=Europe/Berlin:20260301T090000 and RRULE:FREQ=WEEKLY.',
          )}
          {field(
            'timezone',
            'Time zone',
            (a) => (
              <input
                {...a}
                list="zones"
                autocomplete="off"
                placeholder="UTC"
                value={form.timezone}
                onInput={set('timezone')}
              />
            ),
            'IANA zone for a rule whose DTSTART has no TZID (default UTC). A rule with a TZID runs in that zone: leave this empty.',
          )}
          <datalist id="zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          {field('callback_url', 'Callback URL', (a) => (
            <input {...a} type="url" required inputMode="url" value={form.callback_url} onInput={set('callback_url')} />
          ))}
          <div class="row">
            {field('method', 'Method', (a) => (
              <select {...a} value={form.method} onChange={set('method')}>
                {CALLBACK_METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            ))}
            {field('timeout_ms', 'Timeout (ms)', (a) => (
              <input {...a} inputMode="numeric" value={form.timeout_ms} onInput={set('timeout_ms')} />
            ))}
            {field('max_attempts', 'Attempts in all', (a) => (
              <input
                {...a}
                inputMode="numeric"
                placeholder="default"
                value={form.max_attempts}
                onInput={set('max_attempts')}
              />
            ))}
          </div>
          <details class="advanced">
            <summary>Headers, body and policies</summary>
            {field(
              'headers',
              'Headers',
              (a) => (
                <textarea {...a} rows={3} spellcheck={false} value={form.headers} onInput={set('headers')} />
              ),
              'One per line: Name: value.',
            )}
            {field(
              'body',
              'Body',
              (a) => (
                <textarea {...a} rows={3} spellcheck={false} value={form.body} onInput={set('body')} />
              ),
              'Sent verbatim. Empty: a JSON envelope naming the schedule, event and time.',
            )}
            <div class="row">
              {field('misfire_policy', 'Misfire policy', (a) => (
                <select {...a} value={form.misfire_policy} onChange={set('misfire_policy')}>
                  {MISFIRE_POLICIES.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              ))}
              {field('overlap_policy', 'Overlap policy', (a) => (
                <select {...a} value={form.overlap_policy} onChange={set('overlap_policy')}>
                  {OVERLAP_POLICIES.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              ))}
              {field('max_consecutive_failures', 'Pause after failures', (a) => (
                <input
                  {...a}
                  inputMode="numeric"
                  value={form.max_consecutive_failures}
                  onInput={set('max_consecutive_failures')}
                />
              ))}
            </div>
          </details>
          <div class="actions">
            <button type="submit" class="primary" disabled={save.busy}>
              {save.busy ? 'Saving…' : id ? 'Save changes' : 'Create schedule'}
            </button>
            <a class="button" href={id ? routeHref({ page: 'schedule', id }) : '#/schedules'}>
              Cancel
            </a>
          </div>
        </form>
        <RulePreview preview={preview.data} error={preview.error} busy={preview.busy} />
      </div>
    </>
  );
}
