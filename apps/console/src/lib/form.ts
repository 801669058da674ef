import type { ScheduleInput } from './api.js';
import type { Schedule } from './types.js';

/** The schedule form's fields, as text (what the inputs hold). */
export interface ScheduleForm {
  name: string;
  rrule: string;
  timezone: string;
  callback_url: string;
  method: string;
  headers: string;
  body: string;
  timeout_ms: string;
  max_attempts: string;
  misfire_policy: string;
  overlap_policy: string;
  max_consecutive_failures: string;
}

export const EMPTY_FORM: ScheduleForm = {
  name: '',
  rrule: '',
  timezone: '',
  callback_url: '',
  method: 'POST',
  headers: '',
  body: '',
  timeout_ms: '10000',
  max_attempts: '',
  misfire_policy: 'fire_once',
  overlap_policy: 'allow',
  max_consecutive_failures: '0',
};

/** A form holding an existing schedule, for editing. */
export function formOf(s: Schedule): ScheduleForm {
  return {
    name: s.name,
    rrule: s.rrule,
    timezone: s.timezone,
    callback_url: s.callback_url,
    method: s.method,
    headers: Object.entries(s.headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    body: s.body ?? '',
    timeout_ms: String(s.timeout_ms),
    max_attempts: String(s.retry_policy.max_attempts),
    misfire_policy: s.misfire_policy,
    overlap_policy: s.overlap_policy,
    max_consecutive_failures: String(s.max_consecutive_failures),
  };
}

export interface FieldError {
  field: keyof ScheduleForm;
  message: string;
}

/** `Name: value` lines to a header object; a line without a colon is an error naming the line. */
export function parseHeaderLines(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split('\n').map((line) => line.trim());
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: `line ${i + 1}: expected "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}

const integerOrText = (text: string): number | string => {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
};

/**
 * The request body for a create (every field given) or an update (only what differs from
 * `before`). Numbers the user typed badly are sent as typed: the API's error then names the field,
 * so the console states no rule of its own. Only the header lines are parsed here.
 */
export function toInput(
  form: ScheduleForm,
  before?: ScheduleForm,
): { input: ScheduleInput } | { errors: FieldError[] } {
  const headers = parseHeaderLines(form.headers);
  if ('error' in headers) return { errors: [{ field: 'headers', message: headers.error }] };
  const changed = (field: keyof ScheduleForm) => !before || before[field] !== form[field];
  const input: Record<string, unknown> = {};
  if (changed('name')) input.name = form.name.trim();
  if (changed('rrule')) input.rrule = form.rrule.trim();
  if (changed('timezone') && form.timezone.trim()) input.timezone = form.timezone.trim();
  if (changed('callback_url')) input.callback_url = form.callback_url.trim();
  if (changed('method')) input.method = form.method;
  if (changed('headers')) input.headers = headers.headers;
  if (changed('body')) input.body = form.body === '' ? null : form.body;
  if (changed('timeout_ms') && form.timeout_ms.trim()) input.timeout_ms = integerOrText(form.timeout_ms);
  if (changed('max_attempts') && form.max_attempts.trim())
    input.retry_policy = { max_attempts: integerOrText(form.max_attempts) };
  if (changed('misfire_policy')) input.misfire_policy = form.misfire_policy;
  if (changed('overlap_policy')) input.overlap_policy = form.overlap_policy;
  if (changed('max_consecutive_failures') && form.max_consecutive_failures.trim())
    input.max_consecutive_failures = integerOrText(form.max_consecutive_failures);
  return { input: input as ScheduleInput };
}

/** The form field an API error detail names (`retry_policy.max_attempts` → max_attempts); null if none. */
export function fieldOf(apiField: string): keyof ScheduleForm | null {
  const top = apiField.replace(/^\/?body[./]?/, '').split(/[./]/);
  const name = top[0] === 'retry_policy' ? 'max_attempts' : top[0];
  return name && name in EMPTY_FORM ? (name as keyof ScheduleForm) : null;
}
