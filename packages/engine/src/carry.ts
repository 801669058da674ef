import type { Attempt, EventRecord, StatusChange } from '@event-scheduler/models';
import { eventOfSend } from './events.js';
import type { Occurrence } from './occurrence.js';

/**
 * What a planned retry carries to its next attempt in Redis: the event's history and attempts as
 * just recorded in the database. The attempt then reads nothing from the database (a retry costs
 * it one statement, its record); when Redis lost it, or it does not match the send, the worker
 * reads the live event instead.
 */
interface Carry {
  history: StatusChange[];
  attempts: Attempt[];
}

export function encodeCarry(event: Pick<EventRecord, 'history' | 'attempts'>): string {
  const carry: Carry = { history: event.history, attempts: event.attempts };
  return JSON.stringify(carry);
}

function decodeCarry(text: string): Carry | null {
  try {
    const raw = JSON.parse(text) as Carry;
    if (!Array.isArray(raw.history) || !Array.isArray(raw.attempts)) return null;
    return {
      history: raw.history.map((h) => ({ ...h, time: new Date(h.time) })),
      attempts: raw.attempts.map((a) => ({ ...a, started_at: new Date(a.started_at) })),
    };
  } catch {
    return null;
  }
}

/**
 * The live event of a retry as its carry says, or null when there is none or it is not this
 * send's (it records another number of attempts than the send follows: reconciliation recorded
 * lost attempts since, or a redelivery started a round).
 */
export function eventFromCarry(send: Occurrence, tenantId: string, text: string | null): EventRecord | null {
  const carry = text === null ? null : decodeCarry(text);
  if (!carry || carry.attempts.length !== send.attempt - 1) return null;
  return {
    ...eventOfSend(send, tenantId),
    status: 'retry_scheduled',
    history: carry.history,
    attempts: carry.attempts,
    next_attempt_at: new Date(send.dueAt),
  };
}
