import { type Connection, Schema } from 'mongoose';

/** An API key: only its SHA-256 is stored; the key itself is shown once, at creation. */
export interface ApiKey {
  tenant_id: string;
  name: string;
  /** The first characters of the key (`sk_ab12`), to recognise it in listings. */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  key_hash: string;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const apiKeySchema = new Schema<ApiKey>(
  {
    tenant_id: { type: String, required: true },
    name: { type: String, required: true },
    prefix: { type: String, required: true },
    key_hash: { type: String, required: true },
    last_used_at: { type: Date, default: null },
    revoked_at: { type: Date, default: null },
  },
  { timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' }, versionKey: false },
);

// Authentication: one lookup by hash per request.
apiKeySchema.index({ key_hash: 1 }, { unique: true });

export const apiKeyModel = (connection: Connection) => connection.model<ApiKey>('ApiKey', apiKeySchema, 'api_keys');
