import { type Connection, type InferSchemaType, Schema } from 'mongoose';

export const SCHEDULE_STATUSES = ['active', 'paused', 'completed'] as const;

/**
 * A recurring schedule. Callback headers and body are stored as opaque strings: FerretDB v1 (and
 * MongoDB before 5.0) reject keys containing `.` or starting with `$`, and the worker must sign the
 * exact bytes the user gave.
 */
export const scheduleSchema = new Schema(
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

export type Schedule = InferSchemaType<typeof scheduleSchema> & { _id: import('mongoose').Types.ObjectId };

export const scheduleModel = (connection: Connection) => connection.model('Schedule', scheduleSchema, 'schedules');
