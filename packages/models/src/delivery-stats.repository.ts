import { type EventKind, type EventStatus, FINAL_EVENT_STATUSES } from './event.schema.js';
import type { Models } from './models.js';

/** What the delivery statistics need of one finished event, and nothing more. */
export interface FinishedDelivery {
  status: EventStatus;
  kind: EventKind;
  occurrence_at: Date;
  finished_at: Date;
  /** When each attempt started (only that field of each attempt is read). */
  attempts: { started_at: Date }[];
}

/**
 * The tenant's events that finished at or after `since`, newest first, at most `limit` of them,
 * projected to the few fields the statistics use.
 *
 * The status list is every final status: it selects nothing more than `finished_at` does, but lets
 * MongoDB serve the query from the `(tenant_id, status, finished_at)` index of archived_events.
 * FerretDB v1 has no date arithmetic in its aggregation (no `$dateTrunc`, `$subtract` on dates or
 * `$arrayElemAt`), so the caller buckets these rows itself; the window and the limit keep it bounded.
 */
export async function findFinishedDeliveries(
  models: Pick<Models, 'archivedEvents'>,
  tenantId: string,
  since: Date,
  limit: number,
): Promise<FinishedDelivery[]> {
  const rows = await models.archivedEvents
    .find(
      { tenant_id: tenantId, status: { $in: [...FINAL_EVENT_STATUSES] }, finished_at: { $gte: since } },
      { _id: 0, status: 1, kind: 1, occurrence_at: 1, finished_at: 1, 'attempts.started_at': 1 },
    )
    .sort({ finished_at: -1 })
    .limit(limit)
    .lean();
  return rows as unknown as FinishedDelivery[];
}
