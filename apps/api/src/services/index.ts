import { DEFAULT_BACKOFF, parseAllowList } from '@event-scheduler/callback';
import type { Logger } from '@event-scheduler/logging';
import type { Models } from '@event-scheduler/models';
import type { QueueSet } from '@event-scheduler/queues';
import { type Clock, systemClock } from '@event-scheduler/scheduling';
import { type ApiKeyService, createApiKeyService } from './api-key.service.js';
import { withCallbackTargetCheck } from './callback-targets.js';
import { createEventService, type EventService } from './event.service.js';
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
  /** How far ahead planning looks (prequeuer.event_timeframe_minutes). */
  planningWindowMs: number;
  /** How long before due the dispatcher takes an occurrence (dispatcher.lead_ms). */
  dispatcherLeadMs: number;
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
  queues: QueueSet;
  log: Logger;
  settings: ServiceSettings;
  clock?: Clock;
  /** Replaces the shared planning code (tests of the API alone); default the real one. */
  planning?: PlanningPort;
}

/** Wires every service of the API from its connections: plain factories, no container. */
export function createServices({
  models,
  queues,
  log,
  settings,
  clock = systemClock,
  planning,
}: CreateServicesDeps): ApiServices {
  const rules = createRuleCompiler({ minIntervalSeconds: settings.minIntervalSeconds });
  const port =
    planning ??
    createPlanningPort({
      models,
      queues,
      log,
      windowMs: settings.planningWindowMs,
      leadMs: settings.dispatcherLeadMs,
      limits: { minIntervalSeconds: settings.minIntervalSeconds },
    });
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
    apiKeys: createApiKeyService({ models, clock, log }),
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
    events: createEventService({ models, queues, clock, log }),
    signingSecrets: createSigningSecretService({ models, clock, log, overlapMs: settings.signingSecretOverlapMs }),
    stats: createStatsService({ models, clock }),
  };
}
