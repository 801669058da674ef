import type {
  ArchivedEventRecord,
  Attempt,
  EventRecord,
  FinalEventStatus,
  StatusChange,
} from '@event-scheduler/models';
import { Types } from 'mongoose';
import { advance } from './lifecycle.js';
import { eventIdFor, type Occurrence, type OccurrenceKind } from './occurrence.js';

/** What a planned event needs of its schedule. */
export interface EventOwner {
  _id: Types.ObjectId;
  tenant_id: string;
  version: number;
}

/**
 * A new live event for an occurrence: its id derived from the occurrence (see eventIdFor), status
 * `scheduled`, planned `now`. `dueAt` (default: the occurrence) is when it is sent; a backfill
 * paced out, for one, is sent later than its instant.
 */
export function plannedEvent(
  owner: EventOwner,
  at: Date,
  kind: OccurrenceKind,
  now: Date,
  message: string,
  dueAt?: Date,
): EventRecord {
  const scheduleId = owner._id.toHexString();
  return {
    _id: new Types.ObjectId(eventIdFor({ scheduleId, version: owner.version, occurrenceAt: at.getTime(), kind })),
    tenant_id: owner.tenant_id,
    schedule_id: owner._id,
    schedule_version: owner.version,
    occurrence_at: at,
    kind,
    status: 'scheduled',
    history: [{ time: now, status: 'scheduled', message }],
    attempts: [],
    next_attempt_at: dueAt && dueAt.getTime() !== at.getTime() ? dueAt : null,
    round: 0,
    round_start: 0,
    finished_at: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * The next send of a live event, derived from the document alone, so whoever derives it
 * (the planner that inserted it, reconciliation after Redis lost it, the worker scheduling a
 * retry) gets the same timeline member.
 */
export function sendOf(event: EventRecord): Occurrence {
  return {
    dueAt: (event.next_attempt_at ?? event.occurrence_at).getTime(),
    eventId: event._id.toHexString(),
    scheduleId: event.schedule_id.toHexString(),
    version: event.schedule_version,
    occurrenceAt: event.occurrence_at.getTime(),
    kind: event.kind,
    attempt: event.attempts.length + 1,
    round: event.round ?? 0,
    roundStart: event.round_start ?? 0,
    plannedAt: event.created_at.getTime(),
  };
}

/** The live event a send stands for, as it was planned (a first send has nothing else to it). */
export function eventOfSend(send: Occurrence, tenantId: string): EventRecord {
  const planned = new Date(send.plannedAt);
  return {
    _id: new Types.ObjectId(send.eventId),
    tenant_id: tenantId,
    schedule_id: new Types.ObjectId(send.scheduleId),
    schedule_version: send.version,
    occurrence_at: new Date(send.occurrenceAt),
    kind: send.kind,
    status: 'scheduled',
    history: [{ time: planned, status: 'scheduled', message: 'planned' }],
    attempts: [],
    next_attempt_at: null,
    round: send.round,
    round_start: send.roundStart,
    finished_at: null,
    created_at: planned,
    updated_at: planned,
  };
}

/**
 * The archived copy of an event that finished `now` with `status`: its history advanced through
 * `steps` to the final entry (each move checked against the transition table) and `attempts`
 * appended.
 */
export function archivedEvent(
  event: EventRecord,
  {
    status,
    message,
    steps = [],
    attempts = [],
    now,
  }: {
    status: FinalEventStatus;
    message: string | null;
    steps?: StatusChange[];
    attempts?: Attempt[];
    now: Date;
  },
): ArchivedEventRecord {
  return {
    ...event,
    status,
    history: advance(event.history, ...steps, { time: now, status, message }),
    attempts: [...event.attempts, ...attempts],
    next_attempt_at: null,
    finished_at: now,
    updated_at: now,
    archived_at: now,
  };
}
