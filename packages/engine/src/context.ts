import type { Logger } from '@event-scheduler/logging';
import type { Models } from '@event-scheduler/models';
import type { RuleLimits } from '@event-scheduler/scheduling';
import type { Redis } from 'ioredis';
import { type EngineKeys, engineKeys } from './keys.js';
import { createOutcomeWriter, type OutcomeWriter, type OutcomeWriterOptions } from './outcomes.js';
import { createRuleCache, type RuleCache } from './rules.js';
import { createSnapshotStore, type SnapshotStore } from './snapshots.js';
import { createTimeline, type Timeline } from './timeline.js';

export interface EngineOptions {
  models: Pick<Models, 'schedules' | 'schedulePlans' | 'events' | 'archivedEvents'>;
  /** A producer connection (commands fail fast while Redis is away). */
  redis: Redis;
  /** `redis.queue_prefix`: every key of the deployment starts with it. */
  prefix: string;
  /** Timeline shards (hash-tagged key groups; raise it to spread over a Redis Cluster). Default 1. */
  shards?: number;
  log: Logger;
  /** How far ahead occurrences are planned (prequeuer.event_timeframe_minutes, in ms). */
  windowMs: number;
  /** How long before its due instant a send reaches a worker (dispatcher.lead_ms). */
  leadMs: number;
  /** Rule expansion limits (iterations, time per call). */
  limits?: Partial<RuleLimits>;
  outcomes?: OutcomeWriterOptions;
}

/** Everything the engine's functions need, built once per process by its composition root. */
export interface Engine {
  models: EngineOptions['models'];
  redis: Redis;
  keys: EngineKeys;
  timeline: Timeline;
  snapshots: SnapshotStore;
  outcomes: OutcomeWriter;
  rules: RuleCache;
  log: Logger;
  windowMs: number;
  leadMs: number;
}

export function createEngine(options: EngineOptions): Engine {
  const keys = engineKeys(options.prefix, options.shards ?? 1);
  const timeline = createTimeline(options.redis, keys);
  return {
    models: options.models,
    redis: options.redis,
    keys,
    timeline,
    snapshots: createSnapshotStore(options.redis, keys),
    outcomes: createOutcomeWriter(options.models, timeline, options.log, options.outcomes),
    rules: createRuleCache(options.limits),
    log: options.log,
    windowMs: options.windowMs,
    leadMs: options.leadMs,
  };
}
