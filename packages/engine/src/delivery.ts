import {
  type Attempt,
  deleteLiveEventsIn,
  type EventRecord,
  type FinalEventStatus,
  findArchivedIds,
  findLiveEvents,
  type StatusChange,
} from '@event-scheduler/models';
import { Types } from 'mongoose';
import { encodeCarry, eventFromCarry } from './carry.js';
import type { Engine } from './context.js';
import { archivedEvent, eventOfSend, sendOf } from './events.js';
import { loadSnapshots } from './fences.js';
import { type Occurrence, retryOf } from './occurrence.js';
import type { ScheduleSnapshot } from './snapshot.js';
import { fenceOf } from './snapshot.js';
import { type Verdict, verdictOf } from './verdict.js';

/** A send a worker holds until its due instant: everything it needs, read before the instant. */
export interface HeldSend {
  send: Occurrence;
  /** This send's attempt number (`x-attempt`): the planned one, plus one per earlier run that fired. */
  attempt: number;
  /** Attempts earlier runs of the batch started and never recorded (each `worker_lost`). */
  lost: Attempt[];
  /** The event as it stands: its live copy for retries and redeliveries, else as planned. */
  event: EventRecord;
  snapshot: ScheduleSnapshot;
  /** When the dispatcher handed it over (its `dispatched` moment). */
  takenAt: Date;
}

type EngineParts = Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'outcomes' | 'log'>;

const toObjectId = (hex: string) => new Types.ObjectId(hex);

/**
 * Attempts that may have reached the receiver and were never recorded (`worker_lost`), numbered
 * from `first`: the runs of a batch that died after firing, or sends Redis lost while a worker held them.
 */
export function lostAttempts(
  first: number,
  count: number,
  at: Date,
  message = 'the worker stopped before this attempt was recorded; the occurrence is sent again',
): Attempt[] {
  return Array.from({ length: count }, (_, i) => ({
    number: first + i,
    started_at: at,
    duration_ms: 0,
    status_code: null,
    error_kind: 'worker_lost',
    error_message: message,
    response_snippet: null,
  }));
}

/** The history of the lost attempts: each one started, then was given up and sent again. */
export function lostSteps(lost: Attempt[], takenAt: Date): StatusChange[] {
  return lost.flatMap((a) => [
    { time: takenAt, status: 'dispatched' as const, message: 'released to a worker' },
    { time: a.started_at, status: 'delivering' as const, message: `attempt ${a.number}` },
    { time: takenAt, status: 'retry_scheduled' as const, message: `attempt ${a.number} lost with its worker` },
  ]);
}

/**
 * Opens a batch a worker took: what it must send, with everything read ahead of the due instant.
 * A first send reads nothing from the database (its schedule comes from its snapshot); a retry or
 * redelivery reads its live event (for its history); a batch that runs again after an earlier run
 * fired (`lostRuns` > 0: that run died or could not record) reads what was finished meanwhile and
 * leaves it out, and sends the rest as the next attempt (the one before may have reached the
 * receiver: x-attempt says so).
 * Sends that should no longer fire (the one rule) are archived `cancelled` here.
 */
export async function openBatch(
  engine: EngineParts,
  sends: readonly Occurrence[],
  { takenAt, lostRuns }: { takenAt: Date; lostRuns: number },
): Promise<HeldSend[]> {
  let todo = [...sends];
  if (lostRuns > 0) todo = await leaveOutFinished(engine, todo);
  const snapshots = await loadSnapshots(
    engine,
    todo.map((s) => s.scheduleId),
  );
  const live = lostRuns > 0 ? new Map<string, EventRecord>() : await carriedEvents(engine, todo, snapshots);
  const needLive = todo.filter((s) => (lostRuns > 0 || s.attempt > 1 || s.round > 0) && !live.has(s.eventId));
  for (const e of await findLiveEvents(
    engine.models,
    needLive.map((s) => toObjectId(s.eventId)),
  ))
    live.set(e._id.toHexString(), e);
  const held: HeldSend[] = [];
  const cancelled: { h: HeldSend; verdict: Exclude<Verdict, { fire: true }> }[] = [];
  for (const send of todo) {
    const snapshot = snapshots.get(send.scheduleId);
    const event = live.get(send.eventId) ?? eventOfSend(send, snapshot?.tenant_id ?? 'unknown');
    const lost = lostAttempts(send.attempt, lostRuns, takenAt);
    const h: HeldSend = {
      send,
      attempt: send.attempt + lost.length,
      lost,
      event,
      snapshot: snapshot as ScheduleSnapshot,
      takenAt,
    };
    const verdict = verdictOf(send, snapshot ? fenceOf(snapshot) : null);
    if (verdict.fire && snapshot) held.push(h);
    else if (!verdict.fire) cancelled.push({ h, verdict });
  }
  await Promise.all(cancelled.map(({ h, verdict }) => settle(engine, h, 'cancelled', verdict.reason, new Date())));
  return held;
}

/** The live events of retries as their carries in Redis say (see carry.ts), by event id. */
async function carriedEvents(
  engine: EngineParts,
  sends: readonly Occurrence[],
  snapshots: ReadonlyMap<string, ScheduleSnapshot>,
): Promise<Map<string, EventRecord>> {
  const retries = sends.filter((s) => s.attempt > 1);
  const carried = await engine.timeline.carried(retries);
  const events = new Map<string, EventRecord>();
  for (const [i, send] of retries.entries()) {
    const tenantId = snapshots.get(send.scheduleId)?.tenant_id;
    const event = tenantId ? eventFromCarry(send, tenantId, carried[i] ?? null) : null;
    if (event) events.set(send.eventId, event);
  }
  return events;
}

/** Leaves out sends finished by an earlier run (archived, or a retry recorded and maybe not planned yet). */
async function leaveOutFinished(engine: EngineParts, sends: Occurrence[]): Promise<Occurrence[]> {
  const ids = sends.map((s) => toObjectId(s.eventId));
  const archived = await findArchivedIds(engine.models, ids);
  const live = new Map((await findLiveEvents(engine.models, ids)).map((e) => [e._id.toHexString(), e]));
  const done: { send: Occurrence; next?: Occurrence }[] = [];
  const todo: Occurrence[] = [];
  for (const send of sends) {
    const event = live.get(send.eventId);
    if (archived.has(send.eventId)) done.push({ send });
    else if (event && event.status === 'retry_scheduled' && event.attempts.length >= send.attempt) {
      // The earlier run recorded a failed attempt; its retry may not have reached the timeline.
      done.push({ send, next: sendOf(event) });
    } else todo.push(send);
  }
  await engine.timeline.finish(done);
  return todo;
}

/** The steps of this send's history up to (and with) its attempt starting at `startedAt`. */
function attemptSteps(h: HeldSend, startedAt: Date | null): StatusChange[] {
  const steps = [
    ...lostSteps(h.lost, h.takenAt),
    { time: h.takenAt, status: 'dispatched' as const, message: 'released to a worker' },
  ];
  if (startedAt) steps.push({ time: startedAt, status: 'delivering', message: `attempt ${h.attempt}` });
  return steps;
}

/**
 * Archives a held send that never got its attempt (cancelled by a change announced while it was
 * held, or skipped by the overlap policy).
 */
export async function settle(
  engine: EngineParts,
  h: HeldSend,
  status: 'cancelled' | 'skipped',
  message: string,
  now: Date,
): Promise<void> {
  const archived = archivedEvent(h.event, { status, message, steps: attemptSteps(h, null), attempts: h.lost, now });
  await engine.outcomes.finish(h.send, archived, 'held');
}

/** Records the outcome of a send's attempt that finished it (`succeeded` or `failed`). */
export async function recordFinal(
  engine: EngineParts,
  h: HeldSend,
  {
    status,
    message,
    attempt,
    now,
  }: { status: Extract<FinalEventStatus, 'succeeded' | 'failed'>; message: string; attempt: Attempt; now: Date },
): Promise<'inserted' | 'duplicate'> {
  const archived = archivedEvent(h.event, {
    status,
    message,
    steps: attemptSteps(h, attempt.started_at),
    attempts: [...h.lost, attempt],
    now,
  });
  const outcome = await engine.outcomes.finish(h.send, archived, 'held');
  // Someone else finished the event first (a pause cancelled it while this attempt ran): the
  // attempt happened all the same, so its record goes onto that archive, and one answered 2xx
  // makes it `succeeded` (the callback was delivered; a cancel cannot take that back).
  if (outcome === 'duplicate') {
    const delivered =
      status === 'succeeded'
        ? {
            time: now,
            status,
            message: `${message}; delivered by an attempt in flight when the occurrence was cancelled`,
          }
        : undefined;
    await engine.outcomes.attach(h.send.eventId, attempt, delivered);
  }
  return outcome;
}

/**
 * Records a failed attempt and plans the next one at `nextAt` (a retry on the timeline, which
 * survives Redis losing the plan: the live event says `retry_scheduled`). False when the event
 * was finished meanwhile (its attempt is attached to the archive then).
 */
export async function recordRetry(
  engine: EngineParts,
  h: HeldSend,
  { attempt, nextAt, message, now }: { attempt: Attempt; nextAt: Date; message: string; now: Date },
): Promise<boolean> {
  const next: Occurrence = { ...retryOf(h.send, nextAt.getTime()), attempt: h.attempt + 1 };
  const history = [...attemptSteps(h, attempt.started_at), { time: now, status: 'retry_scheduled' as const, message }];
  const attempts = [...h.lost, attempt];
  const carry = encodeCarry({
    history: [...h.event.history, ...history],
    attempts: [...h.event.attempts, ...attempts],
  });
  const recorded = await engine.outcomes.retry(h.send, next, { attempts, history, now, carry });
  if (!recorded) for (const a of [...h.lost, attempt]) await engine.outcomes.attach(h.send.eventId, a);
  return recorded;
}

/** The verdict on a held send after an announced change of its schedule. */
export const verdictAfterChange = (h: HeldSend, change: { version: number; status: ScheduleSnapshot['status'] }) =>
  verdictOf(h.send, change);

/**
 * The overlap policy `cancel_previous`: older events of the schedule still being delivered lose
 * their remaining retries (their planned retry leaves the timeline) and are archived `cancelled`
 * as superseded by `by`; an attempt still running for one of them finishes, and its record is
 * attached to that archive. Returns how many were superseded.
 */
export async function supersede(
  engine: EngineParts,
  eventIds: readonly string[],
  by: HeldSend,
  now: Date,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const live = await findLiveEvents(engine.models, eventIds.map(toObjectId));
  const archived = await findArchivedIds(
    engine.models,
    live.map((e) => e._id),
  );
  const older = live.filter(
    (e) => !archived.has(e._id.toHexString()) && e.occurrence_at.getTime() < by.send.occurrenceAt,
  );
  const message = `superseded by the occurrence at ${new Date(by.send.occurrenceAt).toISOString()}; remaining retries dropped`;
  await engine.timeline.remove(older.filter((e) => e.status === 'retry_scheduled').map(sendOf));
  await Promise.all(
    older.map((e) =>
      engine.outcomes.finish(sendOf(e), archivedEvent(e, { status: 'cancelled', message, now }), 'taking'),
    ),
  );
  // Archived first (the archive wins), then the live copies go, as cancelPlan does: an attempt
  // still running for one of them then finds no live event to plan a retry on.
  await deleteLiveEventsIn(
    engine.models,
    older.map((e) => e._id),
  );
  return older.length;
}
