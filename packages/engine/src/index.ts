/**
 * The occurrence engine: the one home of an occurrence's life (README.md). Apps call it; it
 * calls models and queues, never the other way round.
 */
export { applyChange, autoPause, CHANGE_SETTLE_MS, nextOccurrence, planNow, startPlanOf } from './changes.js';
export type { Engine, EngineOptions } from './context.js';
export { createEngine } from './context.js';
export type { HeldSend } from './delivery.js';
export { openBatch, recordFinal, recordRetry, settle, supersede, verdictAfterChange } from './delivery.js';
export type { Dispatch, DispatchPass, DispatchSettings } from './dispatch.js';
export { createDispatch } from './dispatch.js';
export { lostShards } from './epoch.js';
export type { EventOwner } from './events.js';
export { archivedEvent, eventOfSend, plannedEvent, sendOf } from './events.js';
export { loadSnapshots } from './fences.js';
export { DELIVER_JOB, DELIVER_JOB_OPTIONS, DeliverBatch, parseBatch, WORKER_QUEUE } from './jobs.js';
export type { EngineKeys } from './keys.js';
export { batchJobId, engineKeys } from './keys.js';
export type { FinalStatus } from './lifecycle.js';
export {
  advance,
  canMove,
  FINAL_STATUSES,
  MOMENT_STATUSES,
  TRANSITIONS,
  TransitionError,
  WAITING_STATUSES,
} from './lifecycle.js';
export type { Occurrence, OccurrenceKind } from './occurrence.js';
export { decodeOccurrence, encodeOccurrence, eventIdFor, retryOf, triesBefore } from './occurrence.js';
export type { Holder, OutcomeWriter } from './outcomes.js';
export { cancelPlan } from './planning/cancel.js';
export type { ComputedPlan, ComputeOptions } from './planning/compute.js';
export { computePlan } from './planning/compute.js';
export { addExtraEvents } from './planning/extra.js';
export type { Fate } from './planning/misfire.js';
export { isMissed, lateJobFate, misfireFates } from './planning/misfire.js';
export type { PlanOutcome, PlanTarget } from './planning/plan.js';
export { planSchedules } from './planning/plan.js';
export type { ReconcileOptions, ReconcileOutcome } from './planning/reconcile.js';
export { ensurePlans, reconcile } from './planning/reconcile.js';
export type { TickOptions, TickOutcome } from './planning/tick.js';
export { planningTick } from './planning/tick.js';
export type { FoundEvent } from './redelivery.js';
export { findEvent, isRedeliveryPending, redeliver, replan as replanRedelivery } from './redelivery.js';
export type { RuleCache } from './rules.js';
export type { RuntimeStore, ScheduleRuntime } from './runtime.js';
export { createRuntimeStore } from './runtime.js';
export type { SnapshotSource } from './snapshot.js';
export { fenceOf, parseSnapshot, ScheduleSnapshot, snapshotOf } from './snapshot.js';
export type { Change, SnapshotStore } from './snapshots.js';
export { createSnapshotStore, decodeChange, encodeChange, subscribeChanges } from './snapshots.js';
export type { Timeline, Whereabouts } from './timeline.js';
export { createTimeline } from './timeline.js';
export type { Fence, Verdict } from './verdict.js';
export { verdictOf } from './verdict.js';
