/**
 * Redis connections for every service, with the roles BullMQ and the engine need: consumers wait
 * across reconnects, producers fail fast. The job contract (what a batch carries, its ids and
 * options) is the engine's (`@event-scheduler/engine`, jobs.ts and keys.ts).
 */
export type { CreateRedisOptions, RedisRole } from './connection.js';
export { createRedis, openRedis, waitForRedis } from './connection.js';
