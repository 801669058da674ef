import type { Connection } from 'mongoose';
import { apiKeyModel } from './api-key.schema.js';
import { archivedEventModel, eventModel } from './event.schema.js';
import { scheduleModel } from './schedule.schema.js';
import { schedulePlanModel } from './schedule-plan.schema.js';
import { tenantModel } from './tenant.schema.js';

/** Registers every model on a connection; services take what they need from the result. */
export function registerModels(connection: Connection) {
  return {
    schedules: scheduleModel(connection),
    schedulePlans: schedulePlanModel(connection),
    events: eventModel(connection),
    archivedEvents: archivedEventModel(connection),
    tenants: tenantModel(connection),
    apiKeys: apiKeyModel(connection),
  };
}

export type Models = ReturnType<typeof registerModels>;
