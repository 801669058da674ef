import { type Connection, Schema, type Types } from 'mongoose';

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

export type EventStatus = (typeof EVENT_STATUSES)[number];

/** One occurrence of a schedule: the unit that is planned, dispatched and delivered once. */
export interface EventDoc {
  tenant_id: string;
  schedule_id: Types.ObjectId;
  schedule_version: number;
  occurrence_at: Date;
  status: EventStatus;
  created_at: Date;
  updated_at: Date;
}

export const eventSchema = new Schema<EventDoc>(
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

export const eventModel = (connection: Connection) => connection.model<EventDoc>('Event', eventSchema, 'events');
