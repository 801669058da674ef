import type { Occurrence } from './occurrence.js';

/** What the engine knows of a schedule when it decides whether one of its occurrences still goes. */
export interface Fence {
  version: number;
  status: 'active' | 'paused' | 'completed' | 'deleted';
}

export type Verdict = { fire: true } | { fire: false; status: 'cancelled'; reason: string };

const FIRE: Verdict = { fire: true };

/**
 * THE rule for whether a planned send should still happen, used by the dispatcher when it takes
 * a send, by the worker before and at the due instant, by the API when it cancels a schedule's
 * plan, and by reconciliation before it re-adds a lost send:
 * - a deleted (or unknown) schedule fires nothing;
 * - a paused schedule fires nothing, of any kind, redeliveries included;
 * - a rule occurrence fires only under the version it was planned with, except a redelivery the
 *   user asked for, which survives later edits of the schedule;
 * - manual triggers and backfills are not tied to the rule's version;
 * - a completed schedule's last planned occurrences still fire.
 */
export function verdictOf(o: Pick<Occurrence, 'kind' | 'version' | 'round'>, fence: Fence | null): Verdict {
  if (!fence || fence.status === 'deleted') return { fire: false, status: 'cancelled', reason: 'schedule deleted' };
  if (fence.status === 'paused') return { fire: false, status: 'cancelled', reason: 'schedule paused' };
  if (o.kind === 'rule' && o.round === 0 && o.version !== fence.version) {
    return {
      fire: false,
      status: 'cancelled',
      reason: `schedule changed (planned under version ${o.version}, now ${fence.version})`,
    };
  }
  return FIRE;
}
