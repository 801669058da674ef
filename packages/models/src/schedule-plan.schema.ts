import { type Connection, Schema, type Types } from 'mongoose';
import type { PlanCursor } from './schedule.schema.js';

/**
 * How far one version of a schedule is planned: a document of its own, written only by planning
 * (the prequeuer's tick, and the API planning right after a change), never by the API's own
 * updates. FerretDB v1 rewrites a whole document on every update, so a planner's cursor write on
 * the schedule itself could restore fields the API had just changed (an acknowledged pause came
 * back as active); here no write can touch another writer's fields. Its id is
 * `<schedule id>:<version>`: a new version starts a new plan (inserted by the API before it
 * plans), and a plan whose version is not the schedule's is stale and dropped by the planner.
 */
export interface SchedulePlan {
  _id: string;
  tenant_id: string;
  schedule_id: Types.ObjectId;
  version: number;
  /** The scheduling package's cursor: the last occurrence turned into an event, and the COUNT so far. */
  cursor: PlanCursor | null;
  /** The first occurrence not yet planned (null once the rule is used up, or the plan is stale). */
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const cursorSchema = new Schema<PlanCursor>(
  {
    last_at: { type: String, default: null },
    count: { type: Number, required: true },
    anchor: { type: String, default: null },
  },
  { _id: false },
);

export const schedulePlanSchema = new Schema<SchedulePlan>(
  {
    _id: { type: String, required: true },
    tenant_id: { type: String, required: true },
    schedule_id: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    cursor: { type: cursorSchema, default: null },
    next_run_at: { type: Date, default: null },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false },
);

// The prequeuer's tick: plans whose next unplanned occurrence comes inside the window.
schedulePlanSchema.index({ next_run_at: 1 });
// The plans of some schedules (the check for schedules changed without a plan of their version).
schedulePlanSchema.index({ schedule_id: 1 });

export const schedulePlanModel = (connection: Connection) =>
  connection.model<SchedulePlan>('SchedulePlan', schedulePlanSchema, 'schedule_plans');
