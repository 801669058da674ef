import { describe, expect, it } from '@jest/globals';
import { AppError, ERROR_STATUS, toAppError, validationDetails } from './errors.js';

describe('validationDetails', () => {
  it('names each bad field with a dotted path, once', () => {
    const details = validationDetails(
      [
        { keyword: 'required', instancePath: '', params: { requiredProperties: ['name', 'rrule'] } },
        { keyword: 'boolean', instancePath: '/colour', message: 'schema is false' },
        { keyword: 'additionalProperties', instancePath: '', params: { additionalProperties: ['colour'] } },
        { keyword: 'type', instancePath: '/retry_policy/max_attempts', message: 'must be integer' },
        { keyword: 'type', instancePath: '/retry_policy/max_attempts', message: 'must be integer' },
        { keyword: 'required', instancePath: '/a', params: { missingProperty: 'b' } },
        { keyword: 'type', instancePath: '/headers/a~1b', message: 'must be string' },
      ],
      'body',
    );
    expect(details).toEqual([
      { field: 'name', message: 'is required' },
      { field: 'rrule', message: 'is required' },
      { field: 'colour', message: 'unknown field' },
      { field: 'retry_policy.max_attempts', message: 'must be integer' },
      { field: 'a.b', message: 'is required' },
      { field: 'headers.a/b', message: 'must be string' },
    ]);
  });

  it('says once what a value that fits no alternative of a union should be', () => {
    const union = (message: string, keyword = 'type') => ({ keyword, instancePath: '/body', message });
    expect(
      validationDetails(
        [
          union('must be string'),
          union('must be object'),
          union('must be array'),
          union('must be null'),
          union('must match a schema in anyOf', 'anyOf'),
          { keyword: 'type', instancePath: '/name', message: 'must be string' },
        ],
        'body',
      ),
    ).toEqual([
      { field: 'body', message: 'must be a string, an object, an array or null' },
      { field: 'name', message: 'must be string' },
    ]);
    // The alternative of the value's own type knows what is wrong with it.
    expect(
      validationDetails(
        [
          union('must not have more than 10 characters', 'maxLength'),
          union('must be object'),
          union('must match a schema in anyOf', 'anyOf'),
        ],
        'body',
      ),
    ).toEqual([{ field: 'body', message: 'must not have more than 10 characters' }]);
  });

  it('uses the request part for errors about the whole of it', () => {
    expect(
      validationDetails([{ keyword: 'type', instancePath: '', message: 'must be object' }], 'querystring'),
    ).toEqual([{ field: 'querystring', message: 'must be object' }]);
  });
});

describe('toAppError', () => {
  it('keeps AppErrors, maps fastify 4xx by status, hides everything else behind internal_error', () => {
    const own = new AppError('conflict', 'x');
    expect(toAppError(own)).toBe(own);
    expect(toAppError(Object.assign(new Error('too big'), { statusCode: 413 })).code).toBe('payload_too_large');
    expect(toAppError(Object.assign(new Error('odd'), { statusCode: 415 })).code).toBe('invalid_request');
    const hidden = toAppError(new Error('secret connection string mongodb://u:p@h'));
    expect(hidden.code).toBe('internal_error');
    expect(hidden.message).toBe('internal error');
    const validation = toAppError(
      Object.assign(new Error('bad'), {
        validation: [{ keyword: 'type', instancePath: '/limit', message: 'must be integer' }],
        validationContext: 'querystring',
      }),
    );
    expect(validation).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'limit', message: 'must be integer' }],
    });
  });

  it('has one status per code', () => {
    expect(ERROR_STATUS).toEqual({
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
    });
  });

  it('answers 503, retryable, when the database or Redis cannot be reached', () => {
    const mongo = Object.assign(new Error('Server selection timed out after 2000 ms'), {
      name: 'MongoServerSelectionError',
    });
    const redis = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    for (const cause of [mongo, redis, new Error('wrapped', { cause: mongo })]) {
      const error = toAppError(cause);
      expect(error).toMatchObject({ code: 'unavailable', statusCode: 503, retryable: true });
    }
    expect(toAppError(new Error('a bug'))).toMatchObject({ code: 'internal_error', statusCode: 500 });
  });
});
