import { type Connection, type InferSchemaType, Schema } from 'mongoose';

export const EVENT_STATUSES = [
  'scheduled',
  'dispatched',
  'delivering',
  'retry_scheduled',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;

/** One occurrence of a schedule: the unit that is planned, dispatched and delivered once. */
export const eventSchema = new Schema(
  {
    tenant_id: { type: String, required: true },
    schedule_id: { type: Schema.Types.ObjectId, required: true },
    schedule_version: { type: Number, required: true },
    occurrence_at: { type: Date, required: true },
    status: { type: String, required: true, enum: EVENT_STATUSES, default: 'scheduled' },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false },
);

// One occurrence = one event: planning twice, or from two prequeuers at once, cannot duplicate it.
// Claims go through this unique insert, never findOneAndUpdate (not atomic on FerretDB v1).
eventSchema.index({ schedule_id: 1, occurrence_at: 1 }, { unique: true });

export type EventDoc = InferSchemaType<typeof eventSchema>;

export const eventModel = (connection: Connection) => connection.model('Event', eventSchema, 'events');
