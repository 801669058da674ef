import Type, { type TSchema } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

/** `{"error": {code, message, details?}}`: the body of every 4xx and 5xx answer (component `Error`). */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(ERROR_CODES, { description: 'Stable machine-readable code (see the API README).' }),
      message: Type.String({ description: 'What went wrong, for people.' }),
      details: Type.Optional(
        Type.Array(
          Type.Object({
            field: Type.String({ description: 'Dotted path of the bad field, e.g. `retry_policy.max_attempts`.' }),
            message: Type.String(),
            code: Type.Optional(Type.String({ description: 'Rule error code, e.g. `INVALID_FREQ`.' })),
            part: Type.Optional(Type.String({ description: 'The offending part of the rule, verbatim.' })),
          }),
        ),
      ),
    }),
  },
  { $id: 'Error', title: 'Error' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400:
    'invalid_request (malformed JSON), validation_failed (details name each bad field) or callback_url_blocked ' +
    '(the callback host is an address the worker refuses to call)',
  401: 'unauthorized: no key, an unknown key or a revoked key',
  403: 'forbidden',
  404: 'not_found (also for another tenant’s resources)',
  409: 'conflict: the resource is not in a state that allows this',
  413: 'payload_too_large',
  429: 'rate_limited: too many requests for the key, or too many wrong keys from the address (see Retry-After)',
  500: 'internal_error',
  503: 'unavailable: the database or Redis cannot be reached; retry',
};

/** Response entries for the given error statuses, each referring to the shared `Error` schema. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [status, Type.Ref('Error', { description: ERROR_DESCRIPTIONS[status] ?? 'error' })]),
  );
}

/** Errors any authenticated /api route can answer (413 only applies to routes with a body). */
export const API_ERRORS = [400, 401, 429, 500, 503] as const;

export const Id = Type.String({ minLength: 1, maxLength: 64, description: 'Resource id' });
export const IdParams = Type.Object({ id: Id });

export const DateTime = Type.String({ format: 'date-time', maxLength: 64 });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const PageQuery = {
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Page number, from 1 (default 1).' }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'Items per page (default 20, max 100).' }),
  ),
};

export const PageFields = {
  page: Type.Integer(),
  limit: Type.Integer(),
  total: Type.Integer({ description: 'Items matching in all pages.' }),
};

export const DEFAULT_PAGE_SIZE = 20;

export const page = (q: { page?: number | undefined; limit?: number | undefined }) => ({
  page: q.page ?? 1,
  limit: q.limit ?? DEFAULT_PAGE_SIZE,
});

/** An empty object body; the action routes take no input, and reject unknown fields. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });

export const ExtraEventsResponse = Type.Object({
  event_ids: Type.Array(Type.String(), { description: 'Ids of the events created.' }),
  count: Type.Integer(),
});

export const API_KEY_SECURITY: { [scheme: string]: string[] }[] = [{ apiKey: [] }, { bearer: [] }];
export const ADMIN_SECURITY: { [scheme: string]: string[] }[] = [{ adminKey: [] }];

export type { ErrorCode };
