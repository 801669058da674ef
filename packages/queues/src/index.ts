export type { JobDefinition, JobName, JobPayload, QueueName } from './catalog.js';
export { JOBS, OccurrenceJob, occurrenceJobId, QUEUE_NAMES, ScheduleSnapshot, scheduleSnapshot } from './catalog.js';
export type { CreateRedisOptions, RedisRole } from './connection.js';
export { createRedis, openRedis, waitForRedis } from './connection.js';
export type { EnqueueItem, QueueSet } from './queues.js';
export { createQueues, enqueue, parseJob } from './queues.js';
