import { DEFAULT_BACKOFF, parseAllowList } from '@event-scheduler/callback';
import { createRuntimeStore, type Engine } from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import type { Models } from '@event-scheduler/models';
import { type Clock, systemClock } from '@event-scheduler/scheduling';
import { type ApiKeyService, createApiKeyService } from './api-key.service.js';
import { withCallbackTargetCheck } from './callback-targets.js';
import { createEventService, type EventService } from './event.service.js';
import type { KeyCache } from './key-cache.js';
import { createOccurrenceService, type OccurrenceService } from './occurrence.service.js';
import { createPlanningPort, type PlanningPort } from './planning.js';
import { createPreviewService, type PreviewService } from './preview.service.js';
import { createRuleCompiler } from './rules.js';
import { createScheduleService, type ScheduleService } from './schedule.service.js';
import { createSigningSecretService, type SigningSecretService } from './signing-secret.service.js';
import { createStatsService, type StatsService } from './stats.service.js';

/** What the services read from configuration (see `serviceSettings` in config.ts). */
export interface ServiceSettings {
  minIntervalSeconds: number;
  backfillMaxOccurrences: number;
  signingSecretOverlapMs: number;
  /** Default retry_policy.max_attempts: worker.max_retries + 1. */
  defaultMaxAttempts: number;
  /** Callback targets allowed although blocked (worker.ssrf_allow_list, validated); default none. */
  ssrfAllowList?: string;
}

export interface ApiServices {
  apiKeys: ApiKeyService;
  schedules: ScheduleService;
  occurrences: OccurrenceService;
  previews: PreviewService;
  events: EventService;
  signingSecrets: SigningSecretService;
  stats: StatsService;
}

export interface CreateServicesDeps {
  models: Models;
  /** The occurrence engine (planning, cancelling, redelivering), built by the composition root. */
  engine: Engine;
  log: Logger;
  settings: ServiceSettings;
  clock?: Clock;
  /** Replaces the engine's planning (tests of the API alone); default the real one. */
  planning?: PlanningPort;
  /** Authenticated keys in memory, revocations announced (see key-cache.ts); none: a read per request. */
  keyCache?: KeyCache;
}

/** Wires every service of the API from its connections: plain factories, no container. */
export function createServices({
  models,
  engine,
  log,
  settings,
  clock = systemClock,
  planning,
  keyCache,
}: CreateServicesDeps): ApiServices {
  const rules = createRuleCompiler({ minIntervalSeconds: settings.minIntervalSeconds });
  const port = planning ?? createPlanningPort(engine, createRuntimeStore(engine.redis, engine.keys));
  const schedules = createScheduleService({
    models,
    planning: port,
    rules,
    clock,
    log,
    settings: {
      defaultRetryPolicy: { ...DEFAULT_BACKOFF, max_attempts: settings.defaultMaxAttempts },
    },
  });
  return {
    apiKeys: createApiKeyService({ models, clock, log, ...(keyCache ? { cache: keyCache } : {}) }),
    schedules: withCallbackTargetCheck(schedules, parseAllowList(settings.ssrfAllowList ?? '')),
    occurrences: createOccurrenceService({
      models,
      planning: port,
      rules,
      clock,
      log,
      settings: { backfillMaxOccurrences: settings.backfillMaxOccurrences, backfillPaceMs: 50 },
    }),
    previews: createPreviewService({ rules, clock }),
    events: createEventService({ models, engine, clock, log }),
    signingSecrets: createSigningSecretService({ models, clock, log, overlapMs: settings.signingSecretOverlapMs }),
    stats: createStatsService({ models, clock }),
  };
}
