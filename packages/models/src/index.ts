export type { ConnectMongoOptions } from './connect.js';
export { connectMongo, ensureIndexes, isDuplicateKeyError, openMongo, pingMongo } from './connect.js';
export type { EventDoc, EventStatus } from './event.schema.js';
export { EVENT_STATUSES, eventModel, eventSchema } from './event.schema.js';
export type { Schedule, ScheduleStatus } from './schedule.schema.js';
export { SCHEDULE_STATUSES, scheduleModel, scheduleSchema } from './schedule.schema.js';
