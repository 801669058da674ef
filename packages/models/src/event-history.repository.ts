import { isValidObjectId, Types } from 'mongoose';
import { isDuplicateKeyError } from './connect.js';
import type { EventRecord } from './event.repository.js';
import { type ArchivedEventDoc, EVENT_STATUSES, type EventStatus, FINAL_EVENT_STATUSES } from './event.schema.js';
import type { Models } from './models.js';

/** An archived (finished) event as read with `.lean()`. */
export type ArchivedEventRecord = ArchivedEventDoc & { _id: Types.ObjectId };

/** The history message that marks a redelivery a user asked for (the worker skips the version check). */
export const REDELIVERY_REQUESTED = 'redelivery requested';

type EventModels = Pick<Models, 'events' | 'archivedEvents'>;

const LIVE_STATUSES: EventStatus[] = EVENT_STATUSES.filter((s) => !FINAL_EVENT_STATUSES.includes(s));

const isObjectIdText = (id: string) => isValidObjectId(id) && /^[0-9a-f]{24}$/i.test(id);

export interface Page {
  page: number;
  limit: number;
}

/** Events of one schedule not finished yet, the next occurrence first. */
export async function listPendingEvents(
  models: EventModels,
  tenantId: string,
  scheduleId: Types.ObjectId,
  { page, limit }: Page,
): Promise<{ items: EventRecord[]; total: number }> {
  const filter = { tenant_id: tenantId, schedule_id: scheduleId, status: { $in: LIVE_STATUSES } };
  const [items, total] = await Promise.all([
    models.events
      .find(filter)
      .sort({ occurrence_at: 1, _id: 1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    models.events.countDocuments(filter),
  ]);
  return { items: items as EventRecord[], total };
}

/** Finished events of one schedule, the latest occurrence first. */
export async function listEventHistory(
  models: EventModels,
  tenantId: string,
  scheduleId: Types.ObjectId,
  { page, limit }: Page,
): Promise<{ items: ArchivedEventRecord[]; total: number }> {
  const filter = { tenant_id: tenantId, schedule_id: scheduleId };
  const [items, total] = await Promise.all([
    models.archivedEvents
      .find(filter)
      .sort({ occurrence_at: -1, _id: -1 })
      .skip((page - 1) * limit)
      .limit(limit)
      .lean(),
    models.archivedEvents.countDocuments(filter),
  ]);
  return { items: items as ArchivedEventRecord[], total };
}

export type FoundEvent = { archived: false; event: EventRecord } | { archived: true; event: ArchivedEventRecord };

/** One of the tenant's events, live or archived; another tenant's or a malformed id gives null. */
export async function findEvent(models: EventModels, tenantId: string, id: string): Promise<FoundEvent | null> {
  if (!isObjectIdText(id)) return null;
  const live = (await models.events.findOne({ _id: id, tenant_id: tenantId }).lean()) as EventRecord | null;
  if (live) return { archived: false, event: live };
  const archived = (await models.archivedEvents
    .findOne({ _id: id, tenant_id: tenantId })
    .lean()) as ArchivedEventRecord | null;
  return archived ? { archived: true, event: archived } : null;
}

export interface FailedEventQuery {
  scheduleId?: Types.ObjectId;
  /** Finished at or after. */
  since: Date;
  /** Finished at or before. */
  until: Date;
  limit: number;
}

/** The tenant's failed events that finished in [since, until], oldest first ("recover since T"). */
export async function findFailedEvents(
  models: EventModels,
  tenantId: string,
  { scheduleId, since, until, limit }: FailedEventQuery,
): Promise<ArchivedEventRecord[]> {
  const filter: Record<string, unknown> = {
    tenant_id: tenantId,
    status: 'failed',
    finished_at: { $gte: since, $lte: until },
  };
  if (scheduleId) filter.schedule_id = scheduleId;
  return (await models.archivedEvents
    .find(filter)
    .sort({ finished_at: 1, _id: 1 })
    .limit(limit)
    .lean()) as ArchivedEventRecord[];
}

/**
 * Instants in [from, to] at which the schedule already delivered (or tried to deliver until it
 * gave up): a backfill leaves them out. Skipped and cancelled occurrences never reached the
 * receiver, so a backfill may still fire them.
 */
export async function findDeliveredOccurrences(
  models: Pick<Models, 'archivedEvents'>,
  tenantId: string,
  scheduleId: Types.ObjectId,
  from: Date,
  to: Date,
): Promise<Set<number>> {
  const rows = await models.archivedEvents
    .find({
      tenant_id: tenantId,
      schedule_id: scheduleId,
      occurrence_at: { $gte: from, $lte: to },
      status: { $in: ['succeeded', 'failed'] },
    })
    .select({ occurrence_at: 1 })
    .lean();
  return new Set(rows.map((r) => r.occurrence_at.getTime()));
}

/**
 * Moves a failed event from `archived_events` back into `events` as `scheduled`, attempts kept and
 * a "redelivery requested" history entry added, so the worker delivers it again. Crash-safe and
 * idempotent: the copy is inserted first, then the archived one deleted; when the copy exists
 * already (an earlier move died half-way) only the delete runs. Returns null when another live
 * event holds the same occurrence (then nothing moves).
 */
export async function moveForRedelivery(
  models: EventModels,
  archived: ArchivedEventRecord,
  now: Date,
): Promise<EventRecord | null> {
  const { archived_at: _archivedAt, ...event } = archived;
  const doc: EventRecord = {
    ...event,
    status: 'scheduled',
    history: [...event.history, { time: now, status: 'scheduled', message: REDELIVERY_REQUESTED }],
    next_attempt_at: null,
    finished_at: null,
    updated_at: now,
  };
  try {
    await models.events.insertMany([doc]);
  } catch (error) {
    if (!isDuplicateKeyError(error) && !onlyDuplicates(error)) throw error;
    const existing = (await models.events.findOne({ _id: archived._id }).lean()) as EventRecord | null;
    if (!existing) return null;
  }
  await models.archivedEvents.deleteOne({ _id: archived._id });
  return (await models.events.findOne({ _id: archived._id }).lean()) as EventRecord | null;
}

/** Deletes the archived copy of an event that is live again (finishes a move that died half-way). */
export async function dropArchivedCopy(models: Pick<Models, 'archivedEvents'>, id: Types.ObjectId): Promise<void> {
  await models.archivedEvents.deleteOne({ _id: id });
}

function onlyDuplicates(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: { err?: { code?: number }; code?: number }[] }).writeErrors;
  return writeErrors?.every((e) => (e.code ?? e.err?.code) === 11000) ?? false;
}

/** Parses an id the API received; null when it is not an ObjectId. */
export function parseObjectId(id: string): Types.ObjectId | null {
  return isObjectIdText(id) ? new Types.ObjectId(id) : null;
}
