import { type Connection, Schema } from 'mongoose';

export const SCHEDULE_STATUSES = ['active', 'paused', 'completed'] as const;

/**
 * A recurring schedule. Callback headers and body are stored as opaque strings: FerretDB v1 (and
 * MongoDB before 5.0) reject keys containing `.` or starting with `$`, and the worker must sign the
 * exact bytes the user gave.
 */
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

export interface Schedule {
  tenant_id: string;
  name: string;
  rrule: string;
  timezone: string;
  callback_url: string;
  method: string;
  headers_json?: string;
  body?: string;
  status: ScheduleStatus;
  version: number;
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const scheduleSchema = new Schema<Schedule>(
  {
    tenant_id: { type: String, required: true },
    name: { type: String, required: true },
    rrule: { type: String, required: true },
    timezone: { type: String, required: true, default: 'UTC' },
    callback_url: { type: String, required: true },
    method: { type: String, required: true, default: 'POST' },
    headers_json: { type: String },
    body: { type: String },
    status: { type: String, required: true, enum: SCHEDULE_STATUSES, default: 'active' },
    version: { type: Number, required: true, default: 1 },
    next_run_at: { type: Date, default: null },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false },
);

// Listing a tenant's schedules, newest first.
scheduleSchema.index({ tenant_id: 1, created_at: -1 });
// The prequeuer's tick: active schedules whose next run falls inside the planning window.
scheduleSchema.index({ status: 1, next_run_at: 1 });

export const scheduleModel = (connection: Connection) =>
  connection.model<Schedule>('Schedule', scheduleSchema, 'schedules');
