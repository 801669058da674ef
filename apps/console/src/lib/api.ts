import type {
  DeliveryStats,
  ErrorBody,
  EventItem,
  EventList,
  Preview,
  Schedule,
  ScheduleList,
  ScheduleStatus,
  SigningSecret,
} from './types.js';

/** An error answer of the API (or a network failure: status 0, code `network`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: NonNullable<ErrorBody['error']['details']> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ListQuery {
  page?: number;
  limit?: number;
  status?: ScheduleStatus | '';
  name?: string;
}

/** Fields a create or update sends; the API validates them (the console repeats none of its rules). */
export type ScheduleInput = Partial<{
  name: string;
  rrule: string;
  timezone: string;
  callback_url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  timeout_ms: number;
  retry_policy: { max_attempts?: number };
  misfire_policy: string;
  overlap_policy: string;
  max_consecutive_failures: number;
}>;

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const query = (params: Record<string, string | number | boolean | undefined>) => {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
  return pairs.length ? `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, String(v)]))}` : '';
};

const id = (value: string) => encodeURIComponent(value);

/**
 * The public API, called with the signed-in key and nothing else: the console can do exactly
 * what the key can. Same origin, so the key never leaves the API's own host.
 */
export function createApiClient(key: string, fetcher: Fetch = fetch, baseUrl = '') {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetcher(`${baseUrl}${path}`, {
        method,
        headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError(0, 'network', `the API could not be reached (${(cause as Error).message})`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as ErrorBody | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `HTTP ${response.status}`,
        error?.details ?? [],
      );
    }
    return parsed as T;
  }

  return {
    listSchedules: (q: ListQuery = {}) => call<ScheduleList>('GET', `/api/schedules${query({ ...q })}`),
    getSchedule: (scheduleId: string) => call<Schedule>('GET', `/api/schedules/${id(scheduleId)}`),
    createSchedule: (input: ScheduleInput) => call<Schedule>('POST', '/api/schedules', input),
    updateSchedule: (scheduleId: string, input: ScheduleInput) =>
      call<Schedule>('PATCH', `/api/schedules/${id(scheduleId)}`, input),
    deleteSchedule: (scheduleId: string) => call<void>('DELETE', `/api/schedules/${id(scheduleId)}`),
    pause: (scheduleId: string) => call<Schedule>('POST', `/api/schedules/${id(scheduleId)}/pause`, {}),
    resume: (scheduleId: string) => call<Schedule>('POST', `/api/schedules/${id(scheduleId)}/resume`, {}),
    trigger: (scheduleId: string) =>
      call<{ event_ids: string[]; count: number }>('POST', `/api/schedules/${id(scheduleId)}/trigger`, {}),
    occurrences: (scheduleId: string, limit = 10) =>
      call<{ occurrences: Preview['occurrences'] }>(
        'GET',
        `/api/schedules/${id(scheduleId)}/occurrences${query({ limit, detail: true })}`,
      ),
    preview: (rrule: string, timezone: string | undefined, limit = 10) =>
      call<Preview>('POST', '/api/rrule/preview', { rrule, ...(timezone ? { timezone } : {}), limit, detail: true }),
    pendingEvents: (scheduleId: string, page = 1, limit = 10) =>
      call<EventList>('GET', `/api/schedules/${id(scheduleId)}/events/pending${query({ page, limit })}`),
    eventHistory: (scheduleId: string, page = 1, limit = 10) =>
      call<EventList>('GET', `/api/schedules/${id(scheduleId)}/events/history${query({ page, limit })}`),
    retryEvent: (eventId: string) => call<EventItem>('POST', `/api/events/${id(eventId)}/retry`, {}),
    signingSecret: () => call<SigningSecret>('GET', '/api/signing-secret'),
    rotateSigningSecret: () => call<SigningSecret>('POST', '/api/signing-secret/rotate', {}),
    deliveryStats: () => call<DeliveryStats>('GET', '/api/stats/deliveries'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
