export type { BulkOperation, BulkWriter, BulkWriterOptions } from './bulk-writer.js';
export { createBulkInserter, createBulkWriter } from './bulk-writer.js';
export type { ConnectMongoOptions } from './connect.js';
export { connectMongo, ensureIndexes, isDuplicateKeyError, openMongo, pingMongo } from './connect.js';
export { type FinishedDelivery, findFinishedDeliveries } from './delivery-stats.repository.js';
export type { EventRecord } from './event.repository.js';
export { archivedCopy, archiveEvents, statusChange } from './event.repository.js';
export type { ArchivedEventDoc, Attempt, EventDoc, EventKind, EventStatus, StatusChange } from './event.schema.js';
export {
  archivedEventModel,
  archivedEventSchema,
  EVENT_KINDS,
  EVENT_STATUSES,
  eventModel,
  eventSchema,
  FINAL_EVENT_STATUSES,
} from './event.schema.js';
export type { ArchivedEventRecord, FailedEventQuery, FoundEvent, Page } from './event-history.repository.js';
export {
  dropArchivedCopy,
  findDeliveredOccurrences,
  findEvent,
  findFailedEvents,
  listEventHistory,
  listPendingEvents,
  moveForRedelivery,
  parseObjectId,
  REDELIVERY_REQUESTED,
} from './event-history.repository.js';
export type { Models } from './models.js';
export { registerModels } from './models.js';
export type { NewSchedule, ScheduleListQuery, ScheduleRecord } from './schedule.repository.js';
export {
  findSchedule,
  insertSchedule,
  listSchedules,
  liveScheduleIds,
  updateScheduleIfVersion,
} from './schedule.repository.js';
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
export type { CursorAdvance } from './schedule-planning.repository.js';
export {
  advancePlanningCursors,
  deleteEvents,
  findArchivedOccurrences,
  findDueSchedules,
  findEventsByIds,
  findLiveEvent,
  findLiveEventsOfSchedule,
  findScheduleForPlanning,
  insertNewEvents,
  newEventDoc,
  purgeArchivedEvents,
  streamEventsByStatus,
  UPDATES_PER_COMMAND,
} from './schedule-planning.repository.js';
export type { ApiKeyListQuery, ApiKeyRecord } from './tenant.repository.js';
export {
  ensureTenant,
  findApiKeyByHash,
  findTenant,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  rotateSigningSecret,
  touchApiKey,
  upsertApiKey,
} from './tenant.repository.js';
export type { ApiKey, Tenant } from './tenant.schema.js';
export { apiKeyModel, apiKeySchema, tenantModel, tenantSchema } from './tenant.schema.js';
