import { MISFIRE_POLICIES, OVERLAP_POLICIES, SCHEDULE_STATUSES } from '@event-scheduler/models';
import Type, { type Static, type TSchema } from 'typebox';
import { DateTime, NullableDateTime, NullableString, PageFields, PageQuery } from '../common.schemas.js';

export const CALLBACK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Limits on what a schedule may hold (see the API README, "Limits"). */
export const LIMITS = {
  nameLength: 200,
  ruleLength: 4000,
  urlLength: 2048,
  headers: 20,
  headerNameLength: 256,
  headerValueLength: 4096,
  metadataEntries: 32,
  metadataValueLength: 256,
} as const;

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
/** Metadata keys are stored as document keys: no `.` and no `$`, so they are safe on MongoDB and FerretDB. */
const METADATA_KEY = '^[A-Za-z0-9_-]{1,64}$';

const fields = {
  name: Type.String({ minLength: 1, maxLength: LIMITS.nameLength }),
  rrule: Type.String({
    minLength: 1,
    maxLength: LIMITS.ruleLength,
    description:
      'RFC 5545 rule: `FREQ=...`, `RRULE:FREQ=...`, or lines with `DTSTART[;TZID=...]`, `RRULE`, `EXDATE`, `RDATE`. ' +
      'Without DTSTART, the creation time (whole seconds) becomes DTSTART.',
  }),
  timezone: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone for a DTSTART without TZID (default UTC).',
  }),
  callback_url: Type.String({ minLength: 1, maxLength: LIMITS.urlLength, description: 'http or https URL.' }),
  method: Type.Enum(CALLBACK_METHODS, { description: 'HTTP method of the callback (default POST).' }),
  headers: Type.Record(
    Type.String({ pattern: HEADER_NAME, maxLength: LIMITS.headerNameLength }),
    Type.String({ maxLength: LIMITS.headerValueLength }),
    {
      maxProperties: LIMITS.headers,
      additionalProperties: false,
      description: 'Extra request headers (at most 20). Host, Content-Length, webhook-* and the like are refused.',
    },
  ),
  // The 64 KiB limit and the nesting depth are checked on the text to be sent (schedule-input.ts),
  // in bytes, with one message for strings and JSON values alike.
  body: Type.Union(
    [Type.String(), Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Unknown()), Type.Null()],
    {
      description:
        'Sent verbatim (a JSON object or array is sent as its JSON text). Absent or null: a JSON envelope naming the ' +
        'schedule, event, scheduled time and attempt. At most 64 KiB as sent, JSON nested at most 32 levels deep.',
    },
  ),
  timeout_ms: Type.Integer({ minimum: 100, maximum: 60_000, description: 'Callback timeout (default 10000).' }),
  retry_policy: Type.Object(
    {
      max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 101, description: 'Attempts in all.' })),
      min_backoff_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
      max_backoff_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400_000 })),
    },
    { additionalProperties: false },
  ),
  misfire_policy: Type.Enum(MISFIRE_POLICIES, {
    description: 'What to do with occurrences missed while the system was down (default fire_once).',
  }),
  misfire_grace_seconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  overlap_policy: Type.Enum(OVERLAP_POLICIES, {
    description: 'What to do when an occurrence is due while the previous one is still being delivered.',
  }),
  max_consecutive_failures: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    description: 'Failed occurrences in a row that pause the schedule; 0 (default) never pauses.',
  }),
  metadata: Type.Record(
    Type.String({ pattern: METADATA_KEY }),
    Type.String({ maxLength: LIMITS.metadataValueLength }),
    {
      maxProperties: LIMITS.metadataEntries,
      additionalProperties: false,
      description: 'String labels: at most 32, keys [A-Za-z0-9_-]{1,64}, values up to 256 characters.',
    },
  ),
};

const optional = <T extends Record<string, TSchema>>(props: T) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as {
    [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>>;
  };

const { name, rrule, callback_url, ...rest } = fields;

export const CreateScheduleBody = Type.Object(
  { name, rrule, callback_url, ...optional(rest) },
  { additionalProperties: false, title: 'CreateSchedule' },
);
export type CreateScheduleBody = Static<typeof CreateScheduleBody>;

export const UpdateScheduleBody = Type.Object(optional(fields), {
  additionalProperties: false,
  title: 'UpdateSchedule',
  description:
    'Partial update: only the fields sent change. Changing rrule, timezone, callback_url, method, headers, body or ' +
    'timeout_ms cancels the occurrences planned under the old settings and plans again.',
});
export type UpdateScheduleBody = Static<typeof UpdateScheduleBody>;

export const PauseBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const BackfillBody = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Start of the past window (inclusive).' }),
    to: Type.String({ format: 'date-time', description: 'End of the past window (inclusive, not after now).' }),
  },
  { additionalProperties: false },
);

export const ScheduleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    rrule: Type.String({
      description: 'The rule as it was sent (the canonical text for schedules saved before the API kept it).',
    }),
    canonical_rrule: Type.String({
      description: 'The rule as the scheduler reads it: canonical text, DTSTART included, UNTIL/EXDATE/RDATE in UTC.',
    }),
    timezone: Type.String(),
    callback_url: Type.String(),
    method: Type.String(),
    headers: Type.Record(Type.String(), Type.String()),
    body: NullableString,
    timeout_ms: Type.Integer(),
    retry_policy: Type.Object({
      max_attempts: Type.Integer(),
      min_backoff_ms: Type.Integer(),
      max_backoff_ms: Type.Integer(),
    }),
    misfire_policy: Type.Enum(MISFIRE_POLICIES),
    misfire_grace_seconds: Type.Integer(),
    overlap_policy: Type.Enum(OVERLAP_POLICIES),
    max_consecutive_failures: Type.Integer(),
    consecutive_failures: Type.Integer(),
    metadata: Type.Record(Type.String(), Type.String()),
    status: Type.Enum(SCHEDULE_STATUSES),
    paused_reason: NullableString,
    paused_at: NullableDateTime,
    next_run_at: Type.Union([DateTime, Type.Null()], {
      description: 'Next occurrence after now (null when paused or completed).',
    }),
    last_run_at: NullableDateTime,
    created_at: DateTime,
    updated_at: DateTime,
    version: Type.Integer({ description: 'Bumped by every change that replans occurrences.' }),
  },
  { $id: 'Schedule', title: 'Schedule' },
);
export type ScheduleResponse = Static<typeof ScheduleSchema>;
/** The shared `Schedule` component, by reference. */
export const ScheduleResponse = Type.Ref('Schedule');

export const ListSchedulesQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Enum(SCHEDULE_STATUSES)),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Case-insensitive substring.' })),
});

export const ScheduleList = Type.Object({ schedules: Type.Array(ScheduleResponse), ...PageFields });

export const OccurrenceDetail = Type.Object({
  at: DateTime,
  local: Type.String({ description: 'Local wall time in the rule’s zone (ISO 8601, no offset).' }),
  offset: Type.String({ description: 'UTC offset in force, e.g. +01:00.' }),
  dst: Type.Union([Type.Enum(['gap_shifted', 'fold']), Type.Null()], {
    description:
      'gap_shifted: the local time did not exist and moved forward; fold: it exists twice, this is the first.',
  }),
});

export const OccurrencesQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (inclusive); default now.' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End (inclusive); default 10 years after from.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 10, max 1000.' })),
  detail: Type.Optional(Type.Boolean({ description: 'Return objects with local time, offset and DST notes.' })),
});

export const Occurrences = Type.Union([Type.Array(DateTime), Type.Array(OccurrenceDetail)], {
  description: 'ISO 8601 UTC instants, or with detail=true objects with local wall time and DST notes.',
});

export const OccurrencesResponse = Type.Object({ occurrences: Occurrences });
