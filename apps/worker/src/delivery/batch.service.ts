import {
  type Change,
  type Engine,
  type HeldSend,
  loadSnapshots,
  type Occurrence,
  openBatch,
  type RuntimeStore,
  recordFinal,
  recordRetry,
  settle,
  verdictAfterChange,
} from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import type { Attempt } from '@event-scheduler/models';
import { backoffDelay, type Clock, parseRetryAfter, type Random, systemClock } from '@event-scheduler/scheduling';
import type { DeliveryOutcome, WorkerMetrics } from '../metrics.js';
import type { Prepared, Sender, SendResult } from '../send/index.js';
import { createFailureWatch } from './auto-pause.js';
import { createHolding } from './holding.js';
import { type Judgement, judge } from './outcome.js';
import { type OverlapGuard, overlapAtSend } from './overlap.js';
import { buildRequest } from './request.js';
import type { SecretStore } from './signing.js';
import { waitUntil } from './timers.js';

/** The worker's delivery rules, from its configuration. */
export interface DeliverySettings {
  retryable4xx: ReadonlySet<number>;
  retryAfterMaxMs: number;
}

export interface BatchServiceDeps {
  engine: Pick<Engine, 'models' | 'timeline' | 'snapshots' | 'outcomes' | 'rules' | 'log' | 'windowMs' | 'leadMs'>;
  runtime: RuntimeStore;
  sender: Pick<Sender, 'prepare' | 'send'>;
  secrets: SecretStore;
  overlap: OverlapGuard;
  metrics: WorkerMetrics;
  log: Logger;
  settings: DeliverySettings;
  userAgent?: string;
  clock?: Clock;
  random?: Random;
}

/** A held send with its request made ready. */
interface Ready {
  h: HeldSend;
  prepared: Prepared;
  /** Set when an announced change of its schedule stopped it before its instant. */
  stopped: boolean;
}

export interface BatchContext {
  log: Logger;
  /** Aborted when the worker gives up on the batch (shutdown past its deadline). */
  signal?: AbortSignal;
  /**
   * Notes durably (in the batch job) that this run is about to fire, before the first send goes:
   * a later run of the batch then sends what has no outcome as the next attempt. A run that
   * cannot note it does not fire (a re-run would repeat the attempt number), and runs again.
   */
  firing?: () => Promise<void>;
}

/**
 * Delivers batches: everything for a send is done ahead of its instant (the batch arrives about
 * `dispatcher.lead_ms` early): its schedule's snapshot read, the one rule applied, the request
 * built and signed, its address resolved and checked, its connection warmed. At the instant the
 * only work left is the timer firing and the request being written: no database read or write
 * lies between them. Outcomes are recorded afterwards, in batches (a success costs a share of one
 * archive insert). A change of a schedule announced while its sends are held stops them at once.
 */
export function createBatchService(deps: BatchServiceDeps) {
  const { engine, metrics, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const userAgent = deps.userAgent ?? 'event-scheduler-worker';
  const holding = createHolding<Ready>();
  const failures = createFailureWatch({ engine, runtime: deps.runtime, log: deps.log });

  async function prepare(h: HeldSend, expected: number): Promise<Ready> {
    const secrets = await deps.secrets.secretsFor(h.snapshot.tenant_id, clock());
    const request = buildRequest({
      schedule: { ...h.snapshot, _id: h.send.scheduleId },
      eventId: h.send.eventId,
      occurrenceAt: new Date(h.send.occurrenceAt),
      attempt: h.attempt,
      // Signed for its instant: a send written at its due second carries that second.
      timestamp: Math.floor(Math.max(h.send.dueAt, Date.now()) / 1000),
      secrets,
      userAgent,
    });
    return { h, prepared: await deps.sender.prepare(request, { expected }), stopped: false };
  }

  function attemptRecord(h: HeldSend, startedAt: Date, result: SendResult, judgement: Judgement): Attempt {
    return {
      number: h.attempt,
      started_at: startedAt,
      duration_ms: result.durationMs,
      status_code: result.statusCode,
      error_kind: judgement.errorKind,
      error_message: judgement.errorMessage,
      response_snippet: result.snippet,
    };
  }

  /** Records what an attempt did; returns how the send ended. */
  async function record(r: Ready, startedAt: Date, result: SendResult, log: Logger): Promise<DeliveryOutcome> {
    const { h } = r;
    const judgement = judge(result, { retryable4xx: settings.retryable4xx });
    metrics.attemptDuration.labels(judgement.verdict).observe(result.durationMs / 1000);
    log.info(
      {
        eventId: h.send.eventId,
        attempt: h.attempt,
        status: result.statusCode,
        errorKind: judgement.errorKind,
        ms: result.durationMs,
      },
      'callback attempt',
    );
    const attempt = attemptRecord(h, startedAt, result, judgement);
    const now = clock();
    const tries = h.attempt - h.send.roundStart;
    if (judgement.verdict === 'retry' && tries < h.snapshot.retry_policy.max_attempts) {
      const delay = backoffDelay({
        retry: tries,
        minMs: h.snapshot.retry_policy.min_backoff_ms,
        maxMs: h.snapshot.retry_policy.max_backoff_ms,
        retryAfterMs: parseRetryAfter(result.headers['retry-after'], now),
        retryAfterMaxMs: settings.retryAfterMaxMs,
        random,
      });
      const nextAt = new Date(now.getTime() + delay);
      const message = `attempt ${h.attempt} failed (${judgement.errorMessage}); next attempt at ${nextAt.toISOString()}`;
      return (await recordRetry(engine, h, { attempt, nextAt, message, now })) ? 'retry_scheduled' : 'superseded';
    }
    const status = judgement.verdict === 'success' ? 'succeeded' : 'failed';
    const message =
      status === 'succeeded'
        ? `delivered: HTTP ${result.statusCode} on attempt ${h.attempt}`
        : `failed on attempt ${h.attempt}: ${judgement.errorMessage}`;
    const outcome = await recordFinal(engine, h, { status, message, attempt, now });
    await failures.record(h, status, now);
    return outcome === 'duplicate' ? 'superseded' : status;
  }

  /** Sends one held send at its instant and records what happened. */
  async function deliver(r: Ready, ctx: BatchContext): Promise<DeliveryOutcome> {
    const { h } = r;
    if (r.stopped) return 'cancelled';
    const overlap = await overlapAtSend(deps.overlap, engine, h, clock);
    if (!overlap.go && overlap.status === 'skipped') {
      await settle(engine, h, 'skipped', overlap.message, clock());
      return 'skipped';
    }
    if (!overlap.go) {
      // Its event was superseded while this attempt waited: the outcome is archived already, so
      // this only lets go of the send, unsent.
      await settle(engine, h, 'cancelled', 'superseded before this attempt', clock());
      return 'superseded';
    }
    const startedAt = new Date();
    metrics.inFlight.inc();
    let result: SendResult;
    try {
      result = await deps.sender.send(r.prepared, ctx.signal);
    } finally {
      metrics.inFlight.dec();
    }
    if (result.writtenAt !== null && h.attempt === 1) {
      metrics.lateness.observe(Math.max(0, result.writtenAt - h.send.dueAt) / 1000);
      failures.noteRun(h.send.scheduleId, h.send.occurrenceAt);
    }
    const outcome = await record(r, startedAt, result, ctx.log);
    // A send waiting for its retry is still being delivered, as far as the overlap policy goes.
    if (outcome !== 'retry_scheduled') await deps.overlap.done(h);
    return outcome;
  }

  /** Fires every send due at one instant, in one timer callback, before awaiting any of them. */
  async function fireAt(at: number, group: Ready[], ctx: BatchContext): Promise<DeliveryOutcome[]> {
    await waitUntil(at, ctx.signal);
    const settled = await Promise.allSettled(group.map((r) => deliver(r, ctx)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<DeliveryOutcome>).value);
  }

  /**
   * A schedule changed: its held sends that should no longer fire are stopped and archived
   * `cancelled`; the others (manual, backfill, redeliveries) get their request rebuilt from the
   * new snapshot.
   */
  async function onChange(change: Change): Promise<void> {
    const held = holding.of(change.scheduleId);
    if (held.length === 0) return;
    const stop = held.filter((r) => !r.stopped && !verdictAfterChange(r.h, change).fire);
    for (const r of stop) r.stopped = true;
    await Promise.all(
      stop.map((r) => {
        const verdict = verdictAfterChange(r.h, change);
        return settle(engine, r.h, 'cancelled', verdict.fire ? 'schedule changed' : verdict.reason, clock());
      }),
    );
    const keep = held.filter((r) => !r.stopped);
    if (keep.length === 0) return;
    const snapshot = (await loadSnapshots(engine, [change.scheduleId])).get(change.scheduleId);
    if (!snapshot) return;
    await Promise.all(
      keep.map(async (r) => {
        r.h.snapshot = snapshot;
        r.prepared = (await prepare(r.h, 1)).prepared;
      }),
    );
  }

  /**
   * A change announced while the batch was being opened and prepared reached none of its sends
   * (they were not held yet). Its snapshot was stored before it was announced, so comparing the
   * stored snapshots with those the sends were prepared from (one Redis round trip, ahead of
   * the instant) finds it; it is applied as if just announced.
   */
  async function catchUp(ready: Ready[]): Promise<void> {
    if (ready.length === 0) return;
    const stored = await engine.snapshots.get(ready.map((r) => r.h.send.scheduleId));
    const changed = new Map<string, Change>();
    for (const { h } of ready) {
      const now = stored.get(h.send.scheduleId);
      if (now && (now.v !== h.snapshot.v || now.status !== h.snapshot.status))
        changed.set(h.send.scheduleId, { scheduleId: h.send.scheduleId, version: now.v, status: now.status });
    }
    await Promise.all([...changed.values()].map(onChange));
  }

  return {
    /** Delivers one batch: every send at its instant, every outcome recorded before this resolves. */
    async run(sends: Occurrence[], { takenAt, lostRuns }: { takenAt: Date; lostRuns: number }, ctx: BatchContext) {
      const held = await openBatch(engine, sends, { takenAt, lostRuns });
      const cancelledEarly = sends.length - held.length;
      if (cancelledEarly > 0) metrics.deliveries.labels('cancelled').inc(cancelledEarly);
      // Warm connections per origin for the sends due at the same instant: that many go at once.
      const together = new Map<string, number>();
      const keyOf = (h: HeldSend) => `${originOf(h.snapshot.callback_url)}|${h.send.dueAt}`;
      for (const h of held) together.set(keyOf(h), (together.get(keyOf(h)) ?? 0) + 1);
      const ready = await prepareAll(held, (h) => prepare(h, together.get(keyOf(h)) ?? 1));
      const release = holding.hold(ready.map((r) => ({ scheduleId: r.h.send.scheduleId, item: r })));
      try {
        await catchUp(ready);
        // Noted while holding, ahead of the instant (at it, a Redis round trip would lie between
        // the timer and the send): a worker that dies while it holds counts as having fired, so a
        // re-send may number one attempt too many, never one too few.
        if (ready.length > 0) await ctx.firing?.();
        const byInstant = new Map<number, Ready[]>();
        for (const r of ready) byInstant.set(r.h.send.dueAt, [...(byInstant.get(r.h.send.dueAt) ?? []), r]);
        // Every send runs to its end before the batch settles, even when one fails to record: a
        // batch that gave up early would leave sends going out unheld (deaf to changes) while
        // BullMQ runs the batch again.
        const settled = await Promise.allSettled([...byInstant].map(([at, group]) => fireAt(at, group, ctx)));
        const outcomes = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
        for (const outcome of outcomes) metrics.deliveries.labels(outcome).inc();
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        return outcomes;
      } finally {
        release();
      }
    },

    onChange,

    /** After missing announcements (the subscription reconnected): re-checks every held send. */
    async recheck(): Promise<void> {
      const ids = holding.schedules();
      const snapshots = await loadSnapshots(engine, ids);
      for (const id of ids) {
        const s = snapshots.get(id);
        await onChange({ scheduleId: id, version: s?.v ?? Number.MAX_SAFE_INTEGER, status: s?.status ?? 'deleted' });
      }
    },

    /** Writes batched runtime facts (at shutdown). */
    flush: () => failures.flush(),
  };
}

export type BatchService = ReturnType<typeof createBatchService>;

/** Sends prepared per turn of the event loop: between turns, timers due meanwhile fire on time. */
const PREPARE_SLICE = 25;

/**
 * Prepares a batch's sends in slices, yielding to the event loop between them: preparing is
 * synchronous work (a request built and signed per send), and a worker's loop also fires other
 * batches' sends at their instant.
 */
async function prepareAll<T, R>(items: readonly T[], prepare: (item: T) => Promise<R>): Promise<R[]> {
  const out: Promise<R>[] = [];
  for (let i = 0; i < items.length; i += PREPARE_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const item of items.slice(i, i + PREPARE_SLICE)) out.push(prepare(item));
  }
  return Promise.all(out);
}

/** The origin of a callback URL (scheme, host, port), or the URL itself when it does not parse. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
