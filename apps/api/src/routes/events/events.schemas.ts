import { EVENT_KINDS, EVENT_STATUSES } from '@event-scheduler/models';
import Type, { type Static } from 'typebox';
import { DateTime, NullableDateTime, NullableString, PageFields, PageQuery } from '../common.schemas.js';

export const Attempt = Type.Object({
  number: Type.Integer({ description: '1 for the first attempt.' }),
  started_at: DateTime,
  duration_ms: Type.Number(),
  status_code: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status, when a response came.' }),
  error_kind: Type.Union([Type.String(), Type.Null()], {
    description: 'timeout, network, http_status, ssrf_blocked, response_too_large, ...',
  }),
  error_message: NullableString,
  response_snippet: Type.Union([Type.String(), Type.Null()], { description: 'The first bytes of the response body.' }),
});

export const EventSchema = Type.Object(
  {
    id: Type.String({ description: 'Also the webhook-id every attempt carries.' }),
    schedule_id: Type.String(),
    schedule_version: Type.Integer(),
    occurrence_at: DateTime,
    kind: Type.Enum(EVENT_KINDS),
    status: Type.Enum(EVENT_STATUSES),
    history: Type.Array(Type.Object({ time: DateTime, status: Type.Enum(EVENT_STATUSES), message: NullableString })),
    attempts: Type.Array(Attempt),
    next_attempt_at: NullableDateTime,
    finished_at: NullableDateTime,
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'Event', title: 'Event' },
);
export type EventResponse = Static<typeof EventSchema>;
/** The shared `Event` component, by reference. */
export const EventResponse = Type.Ref('Event');

export const EventPageQuery = Type.Object(PageQuery);
export const EventList = Type.Object({ events: Type.Array(EventResponse), ...PageFields });

export const RetryManyBody = Type.Object(
  {
    schedule_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only this schedule.' })),
    since: Type.String({ format: 'date-time', description: 'Failed at or after.' }),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Failed at or before (default now).' })),
  },
  { additionalProperties: false },
);

export const RetryManyResponse = Type.Object({
  event_ids: Type.Array(Type.String()),
  count: Type.Integer(),
  more: Type.Boolean({ description: 'More failed events match: call again to redeliver the next batch.' }),
});
