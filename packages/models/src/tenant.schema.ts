import { type Connection, Schema } from 'mongoose';

/**
 * A tenant owns API keys, schedules and events, and signs its callbacks with its own secret
 * (Standard Webhooks `whsec_<base64>`). During a rotation the previous secret keeps signing too
 * until `previous_expires_at`, so receivers can switch without dropping a delivery.
 */
export interface Tenant {
  _id: string;
  name: string;
  signing_secret: string;
  previous_signing_secret: string | null;
  previous_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const tenantSchema = new Schema<Tenant>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    signing_secret: { type: String, required: true },
    previous_signing_secret: { type: String, default: null },
    previous_expires_at: { type: Date, default: null },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false },
);

export const tenantModel = (connection: Connection) => connection.model<Tenant>('Tenant', tenantSchema, 'tenants');
