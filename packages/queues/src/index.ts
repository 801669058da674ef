export { JOBS, OccurrenceJob, QUEUE_NAMES, occurrenceJobId } from './catalog.js';
export type { JobDefinition, JobName, JobPayload, QueueName } from './catalog.js';
export { createRedis, openRedis, waitForRedis } from './connection.js';
export type { CreateRedisOptions, RedisRole } from './connection.js';
export { createQueues, enqueue, parseJob } from './queues.js';
export type { EnqueueItem, QueueSet } from './queues.js';
