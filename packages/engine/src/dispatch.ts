import { type EventRecord, findLiveEvents } from '@event-scheduler/models';
import type { Queue } from 'bullmq';
import { Types } from 'mongoose';
import type { Engine } from './context.js';
import { archivedEvent, eventOfSend } from './events.js';
import { loadSnapshots } from './fences.js';
import { DELIVER_JOB, DELIVER_JOB_OPTIONS, type DeliverBatch } from './jobs.js';
import { batchJobId } from './keys.js';
import { encodeOccurrence, type Occurrence } from './occurrence.js';
import { isMissed, lateJobFate } from './planning/misfire.js';
import { fenceOf, type ScheduleSnapshot } from './snapshot.js';
import { verdictOf } from './verdict.js';

export interface DispatchSettings {
  /** Most sends in one batch job (one due second is split into batches of this size). */
  batchSize: number;
  /** How long a take is leased: a dispatcher that dies holding it loses it after this. */
  leaseMs: number;
  /** Most sends taken in one pass. */
  takeLimit: number;
}

export interface DispatchPass {
  taken: number;
  dispatched: number;
  cancelled: number;
  skipped: number;
  batches: number;
  /** Hand-off time minus due time of each dispatched send (ms; negative: handed over ahead). */
  handoffMs: number[];
}

type Decision =
  | { send: Occurrence; fate: 'fire' }
  | { send: Occurrence; fate: 'cancelled' | 'skipped'; reason: string };

/**
 * The dispatcher's one pass over a shard: takes every send due within the lead (atomically, so
 * dispatchers share the work without overlap), decides each with the one rule against the
 * schedule's snapshot (no database read in steady state), applies the misfire policy to first
 * sends that arrive past their grace (an outage), archives what will not go, and hands the rest
 * to workers as one batch job per due second (`batchSize` at most), about `leadMs` before they
 * are due. The worker holds them and sends each at its instant.
 */
export function createDispatch(
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'outcomes' | 'rules' | 'log' | 'leadMs'>,
  queues: (shard: number) => Queue,
  settings: DispatchSettings,
) {
  function decide(send: Occurrence, snapshot: ScheduleSnapshot | undefined, now: number): Decision {
    const verdict = verdictOf(send, snapshot ? fenceOf(snapshot) : null);
    if (!verdict.fire) return { send, fate: 'cancelled', reason: verdict.reason };
    const first = send.kind === 'rule' && send.round === 0 && send.attempt === 1;
    if (!snapshot || !first || !isMissed(new Date(send.dueAt), new Date(now), snapshot.misfire_grace_seconds * 1000))
      return { send, fate: 'fire' };
    const rule = engine.rules.compile(snapshot);
    let next: Date | null = null;
    try {
      next = 'error' in rule ? null : rule.next(new Date(send.occurrenceAt));
    } catch {
      next = null;
    }
    const fate = lateJobFate({
      policy: snapshot.misfire_policy,
      nextOccurrence: next,
      now: new Date(now),
      graceMs: snapshot.misfire_grace_seconds * 1000,
    });
    return fate === 'fire'
      ? { send, fate: 'fire' }
      : { send, fate: 'skipped', reason: `missed: misfire policy ${snapshot.misfire_policy}` };
  }

  /** Archives the sends that will not go, from their live events (full history), or from the send. */
  async function settle(dropped: Exclude<Decision, { fate: 'fire' }>[], snapshots: Map<string, ScheduleSnapshot>) {
    if (dropped.length === 0) return;
    const live = new Map<string, EventRecord>(
      (
        await findLiveEvents(
          engine.models,
          dropped.map((d) => new Types.ObjectId(d.send.eventId)),
        )
      ).map((e) => [e._id.toHexString(), e]),
    );
    const now = new Date();
    await Promise.all(
      dropped.map(async (d) => {
        const event =
          live.get(d.send.eventId) ?? eventOfSend(d.send, snapshots.get(d.send.scheduleId)?.tenant_id ?? 'unknown');
        await engine.outcomes.finish(
          d.send,
          archivedEvent(event, { status: d.fate, message: d.reason, now }),
          'taking',
        );
      }),
    );
  }

  async function hand(shard: number, fire: Occurrence[], takenAt: number): Promise<number> {
    const bySecond = new Map<number, Occurrence[]>();
    for (const send of fire) {
      const second = Math.floor(send.dueAt / 1000);
      bySecond.set(second, [...(bySecond.get(second) ?? []), send]);
    }
    const jobs: { name: string; data: DeliverBatch; opts: typeof DELIVER_JOB_OPTIONS & { jobId: string } }[] = [];
    for (const [second, sends] of bySecond) {
      for (let i = 0; i < sends.length; i += settings.batchSize) {
        const chunk = sends.slice(i, i + settings.batchSize);
        const members = chunk.map(encodeOccurrence);
        const jobId = batchJobId(second, members);
        // Held before the job exists: a dispatcher dying in between leaves sends held by a job
        // that is not there, which reconciliation re-adds, rather than sends handed over twice.
        await engine.timeline.hand(shard, jobId, chunk);
        jobs.push({
          name: DELIVER_JOB,
          data: { sends: members, taken_at: takenAt },
          opts: { ...DELIVER_JOB_OPTIONS, jobId },
        });
      }
    }
    if (jobs.length > 0) await queues(shard).addBulk(jobs);
    return jobs.length;
  }

  return {
    async pass(shard: number): Promise<DispatchPass> {
      const takenAt = Date.now();
      const sends = await engine.timeline.take(shard, takenAt + engine.leadMs, settings.leaseMs, settings.takeLimit);
      const outcome: DispatchPass = {
        taken: sends.length,
        dispatched: 0,
        cancelled: 0,
        skipped: 0,
        batches: 0,
        handoffMs: [],
      };
      if (sends.length === 0) return outcome;
      const snapshots = await loadSnapshots(
        engine,
        sends.map((s) => s.scheduleId),
      );
      const now = Date.now();
      const decisions = sends.map((s) => decide(s, snapshots.get(s.scheduleId), now));
      const fire = decisions.filter((d) => d.fate === 'fire').map((d) => d.send);
      const dropped = decisions.filter((d): d is Exclude<Decision, { fate: 'fire' }> => d.fate !== 'fire');
      outcome.batches = await hand(shard, fire, takenAt);
      const handedAt = Date.now();
      outcome.dispatched = fire.length;
      outcome.handoffMs = fire.map((s) => handedAt - s.dueAt);
      await settle(dropped, snapshots);
      outcome.cancelled = dropped.filter((d) => d.fate === 'cancelled').length;
      outcome.skipped = dropped.filter((d) => d.fate === 'skipped').length;
      if (dropped.length > 0)
        engine.log.info({ cancelled: outcome.cancelled, skipped: outcome.skipped }, 'sends not dispatched');
      return outcome;
    },

    /** Returns sends whose dispatcher died holding them to the timeline. */
    sweep: (shard: number) => engine.timeline.sweep(shard, Date.now()),
  };
}

export type Dispatch = ReturnType<typeof createDispatch>;
