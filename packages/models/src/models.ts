import type { Connection } from 'mongoose';
import { archivedEventModel, eventModel } from './event.schema.js';
import { scheduleModel } from './schedule.schema.js';
import { apiKeyModel, tenantModel } from './tenant.schema.js';

/** Registers every model on a connection; services take what they need from the result. */
export function registerModels(connection: Connection) {
  return {
    schedules: scheduleModel(connection),
    events: eventModel(connection),
    archivedEvents: archivedEventModel(connection),
    tenants: tenantModel(connection),
    apiKeys: apiKeyModel(connection),
  };
}

export type Models = ReturnType<typeof registerModels>;
