import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Every error code the API answers with, and its HTTP status: the one table (see README). */
export const ERROR_STATUS = {
  invalid_request: 400,
  validation_failed: 400,
  callback_url_blocked: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** One bad input: which field (dotted path) and what is wrong; rule errors add their code and part. */
export interface ErrorDetail {
  field: string;
  message: string;
  code?: string;
  part?: string;
}

/** The one error type of the API: a stable code, a message safe to show, optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** True when the same request may succeed later (rate limits, outages). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.retryable = code === 'rate_limited' || code === 'internal_error' || code === 'unavailable';
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

export const invalidField = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { details: [{ field, message }] });

/** What fastify reports for a failed schema validation (TypeBox or Ajv shaped). */
interface SchemaIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const MAX_DETAILS = 50;

const TYPE_COMPLAINT = /^must be (string|number|integer|boolean|object|array|null)$/;
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const inWords = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');

/**
 * A value that fits no alternative of a union gets a complaint from every alternative and one
 * from the union itself. Keep what the alternative of the value's own type says (a string that
 * is too long: the length), else one "must be a string, an object ... or null".
 */
function collapseUnions(issues: readonly SchemaIssue[]): SchemaIssue[] {
  const unions = new Set(issues.filter((i) => i.keyword === 'anyOf').map((i) => i.instancePath ?? ''));
  if (unions.size === 0) return [...issues];
  const out: SchemaIssue[] = [];
  const done = new Set<string>();
  for (const issue of issues) {
    const at = issue.instancePath ?? '';
    if (!unions.has(at)) {
      out.push(issue);
      continue;
    }
    if (done.has(at)) continue;
    done.add(at);
    const alternatives = issues.filter((i) => (i.instancePath ?? '') === at && i.keyword !== 'anyOf');
    const specific = alternatives.filter((i) => !TYPE_COMPLAINT.test(i.message ?? ''));
    if (specific.length > 0) out.push(...specific);
    else {
      const types = alternatives.map((i) => TYPE_NAMES[TYPE_COMPLAINT.exec(i.message ?? '')?.[1] ?? ''] ?? '');
      out.push({ keyword: 'anyOf', instancePath: at, message: `must be ${inWords(types.filter(Boolean))}` });
    }
  }
  return out;
}

/** Turns schema validation issues into one detail per bad field, with dotted paths. */
export function validationDetails(issues: readonly SchemaIssue[], context: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    const key = `${field}\u0000${message}`;
    if (seen.has(key) || details.length >= MAX_DETAILS) return;
    seen.add(key);
    details.push({ field, message });
  };
  const path = (pointer: string | undefined, extra?: string) => {
    const parts = (pointer ?? '')
      .split('/')
      .slice(1)
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (extra !== undefined) parts.push(extra);
    return parts.length > 0 ? parts.join('.') : context;
  };
  for (const issue of collapseUnions(issues)) {
    const params = issue.params ?? {};
    if (issue.keyword === 'boolean') continue; // "schema is false": repeated by additionalProperties
    if (issue.keyword === 'additionalProperties') {
      const names = (params.additionalProperties ?? params.additionalProperty) as string | string[] | undefined;
      for (const name of [names ?? []].flat()) add(path(issue.instancePath, name), 'unknown field');
      continue;
    }
    if (issue.keyword === 'required') {
      const names = (params.requiredProperties ?? params.missingProperty) as string | string[] | undefined;
      for (const name of [names ?? []].flat()) add(path(issue.instancePath, name), 'is required');
      continue;
    }
    add(path(issue.instancePath), issue.message ?? 'is invalid');
  }
  return details;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
};

/** Any thrown value as an AppError: validation failures, fastify's own 4xx errors, or a 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as Partial<FastifyError> & { validation?: SchemaIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) {
    const details = validationDetails(e.validation, e.validationContext ?? 'body');
    const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return new AppError('validation_failed', summary || 'the request is invalid', { details, cause: error });
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'invalid_request';
    const message =
      code === 'payload_too_large'
        ? 'the request body is too large'
        : e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? 'the request body is not valid JSON'
          : (e.message ?? 'invalid request');
    return new AppError(code, message, { cause: error });
  }
  if (isOutage(error)) {
    return new AppError(
      'unavailable',
      'the database or Redis cannot be reached; nothing was changed by this part of the request, try again',
      {
        cause: error,
      },
    );
  }
  return new AppError('internal_error', 'internal error', { cause: error });
}

/** Driver names of MongoDB errors that mean "the server cannot be reached", not "the request is wrong". */
const MONGO_OUTAGES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/**
 * An error from a dependency being away (MongoDB unreachable, Redis disconnected): the request
 * may well succeed later, so it is a 503, not a 500. ioredis reports a closed or not-yet-open
 * connection in its message only.
 */
function isOutage(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (MONGO_OUTAGES.has(e.name)) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (/Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNREFUSED|ECONNRESET/.test(e.message))
      return true;
  }
  return false;
}

/** The one error handler: every error becomes `{"error": {code, message, details?}}`. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.code === 'internal_error') request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: appError.code, message: appError.message }, 'request rejected');
  // An outage answer says when to try again (RFC 9110 §10.2.3): soon, the driver retries meanwhile.
  if (appError.code === 'unavailable') reply.header('retry-after', '2');
  return reply.code(appError.statusCode).send(errorBody(appError));
}

export function errorBody(error: AppError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
    },
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  return reply.code(404).send(errorBody(new AppError('not_found', `no route ${request.method} ${path.slice(0, 200)}`)));
}
