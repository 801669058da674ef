import type { Receiver } from './receiver.js';

/** One callback as a receiver saw it, read from the JSON envelope a schedule without a body sends. */
export interface Delivery {
  scheduleId: string;
  /** The occurrence instant (epoch ms). */
  scheduledAt: number;
  /** `webhook-id`: the event id, the same on every attempt. */
  eventId: string;
  /** `x-attempt`. */
  attempt: number;
  arrivedAt: number;
  path: string;
}

export function deliveries(receiver: Pick<Receiver, 'requests'>): Delivery[] {
  return receiver.requests.map((r) => {
    const body = JSON.parse(r.body) as { schedule_id: string; scheduled_at: string };
    return {
      scheduleId: body.schedule_id,
      scheduledAt: Date.parse(body.scheduled_at),
      eventId: String(r.headers['webhook-id']),
      attempt: Number(r.headers['x-attempt']),
      arrivedAt: r.arrivedAt,
      path: r.path,
    };
  });
}

/** The key of an occurrence: `<schedule id>@<instant ms>`. */
export const occurrenceKey = (d: Pick<Delivery, 'scheduleId' | 'scheduledAt'>) => `${d.scheduleId}@${d.scheduledAt}`;

/** Occurrences delivered more than once, as `<key> x<count>`. */
export function duplicates(list: readonly Delivery[]): string[] {
  const seen = new Map<string, number>();
  for (const d of list) seen.set(occurrenceKey(d), (seen.get(occurrenceKey(d)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}
