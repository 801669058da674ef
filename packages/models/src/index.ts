/**
 * The data layer, one schema and one repository per collection: `schedules`, `schedule_plans`,
 * `events` (live), `archived_events`, `tenants`, `api_keys`. Repositories expose named reads and
 * writes and return plain objects; what a write means for an occurrence's life is the engine's.
 */
export type { ApiKey } from './api-key.schema.js';
export { apiKeyModel, apiKeySchema } from './api-key.schema.js';
export type { ApiKeyListQuery, ApiKeyRecord } from './api-keys.repository.js';
export {
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
  upsertApiKey,
} from './api-keys.repository.js';
export type { ArchivedEventRecord, FailedEventQuery } from './archived-events.repository.js';
export {
  attachAttempt,
  deleteArchivedEvent,
  findArchivedEvent,
  findArchivedIds,
  findDeliveredOccurrences,
  findFailedEvents,
  findLastRun,
  insertOutcomes,
  listEventHistory,
  purgeArchivedEvents,
} from './archived-events.repository.js';
export type { BulkInserter, BulkOperation, BulkWriterOptions } from './bulk-writer.js';
export { createBulkInserter } from './bulk-writer.js';
export type { ConnectMongoOptions } from './connect.js';
export { connectMongo, ensureIndexes, isDuplicateKeyError, openMongo, pingMongo } from './connect.js';
export { type FinishedDelivery, findFinishedDeliveries } from './delivery-stats.repository.js';
export type {
  ArchivedEventDoc,
  Attempt,
  EventDoc,
  EventKind,
  EventStatus,
  FinalEventStatus,
  StatusChange,
} from './event.schema.js';
export {
  archivedEventModel,
  archivedEventSchema,
  EVENT_KINDS,
  EVENT_STATUSES,
  eventModel,
  eventSchema,
  FINAL_EVENT_STATUSES,
  WAITING_EVENT_STATUSES,
} from './event.schema.js';
export type { EventRecord, Page } from './events.repository.js';
export {
  deleteLiveEvents,
  deleteLiveEventsIn,
  findLiveEvent,
  findLiveEvents,
  findLiveEventsBefore,
  findWaitingEventsOfSchedule,
  insertPlannedEvents,
  listPendingEvents,
  markRetryScheduled,
  parseObjectId,
  recordLostAttempts,
  reviveForRedelivery,
  streamWaitingEvents,
} from './events.repository.js';
export type { Models } from './models.js';
export { registerModels } from './models.js';
export type {
  MisfirePolicy,
  OverlapPolicy,
  PlanCursor,
  RetryPolicy,
  Schedule,
  ScheduleStatus,
} from './schedule.schema.js';
export {
  MISFIRE_POLICIES,
  OVERLAP_POLICIES,
  SCHEDULE_STATUSES,
  scheduleModel,
  scheduleSchema,
} from './schedule.schema.js';
export type { SchedulePlan } from './schedule-plan.schema.js';
export { schedulePlanModel, schedulePlanSchema } from './schedule-plan.schema.js';
export type { PlanAdvance, SchedulePlanRecord } from './schedule-plans.repository.js';
export {
  advancePlans,
  deletePlans,
  findDuePlans,
  findPlan,
  findPlansOf,
  planIdOf,
  startPlan,
  UPDATES_PER_COMMAND,
} from './schedule-plans.repository.js';
export type { NewSchedule, ScheduleListQuery, ScheduleRecord } from './schedules.repository.js';
export {
  findActiveSchedulesChangedSince,
  findSchedule,
  findSchedulesByIds,
  insertSchedule,
  listSchedules,
  liveScheduleIds,
  markScheduleCompleted,
  updateScheduleIfVersion,
} from './schedules.repository.js';
export type { Tenant } from './tenant.schema.js';
export { tenantModel, tenantSchema } from './tenant.schema.js';
export { ensureTenant, findTenant, rotateSigningSecret } from './tenants.repository.js';
