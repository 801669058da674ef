export { connectMongo, ensureIndexes, isDuplicateKeyError, openMongo, pingMongo } from './connect.js';
export type { ConnectMongoOptions } from './connect.js';
export { EVENT_STATUSES, eventModel, eventSchema } from './event.schema.js';
export type { EventDoc } from './event.schema.js';
export { SCHEDULE_STATUSES, scheduleModel, scheduleSchema } from './schedule.schema.js';
export type { Schedule } from './schedule.schema.js';
