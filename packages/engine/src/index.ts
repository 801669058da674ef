/**
 * The occurrence engine: the one home of an occurrence's life. Apps call it; it calls models
 * and queues, never the other way round. README.md has the lifecycle and the invariants.
 */
export type { EngineKeys } from './keys.js';
export { batchJobId, engineKeys } from './keys.js';
export type { FinalStatus } from './lifecycle.js';
export { advance, canMove, FINAL_STATUSES, MOMENT_STATUSES, TRANSITIONS, TransitionError, WAITING_STATUSES } from './lifecycle.js';
export type { Occurrence, OccurrenceKind } from './occurrence.js';
export { decodeOccurrence, encodeOccurrence, eventIdFor, retryOf, triesBefore } from './occurrence.js';
export type { SnapshotSource } from './snapshot.js';
export { fenceOf, parseSnapshot, ScheduleSnapshot, snapshotOf } from './snapshot.js';
export type { Change, SnapshotStore } from './snapshots.js';
export { createSnapshotStore, decodeChange, encodeChange, subscribeChanges } from './snapshots.js';
export type { Timeline, Whereabouts } from './timeline.js';
export { createTimeline } from './timeline.js';
export type { Fence, Verdict } from './verdict.js';
export { verdictOf } from './verdict.js';
