import Type, { type Static } from 'typebox';
import { DateTime, NullableDateTime, PageFields, PageQuery } from '../common.schemas.js';

const tenantId = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description });

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'What the key is for.' }),
    tenant_id: Type.Optional(tenantId('The tenant the key belongs to; absent: a new tenant `tn_...`.')),
  },
  { additionalProperties: false },
);

export const ApiKeyResponse = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it.' }),
    created_at: DateTime,
    last_used_at: NullableDateTime,
    revoked_at: NullableDateTime,
  },
  { title: 'ApiKey' },
);
export type ApiKeyResponse = Static<typeof ApiKeyResponse>;

export const CreatedApiKey = Type.Object({
  ...ApiKeyResponse.properties,
  key: Type.String({ description: 'The key itself. Shown only now: only its SHA-256 is stored.' }),
});

export const ListApiKeysQuery = Type.Object({
  ...PageQuery,
  tenant_id: Type.Optional(tenantId('Only this tenant’s keys.')),
});
export const ApiKeyList = Type.Object({ api_keys: Type.Array(ApiKeyResponse), ...PageFields });
