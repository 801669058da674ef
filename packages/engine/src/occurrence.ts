import { createHash } from 'node:crypto';

/** Why an event exists: planned from the rule, fired by `POST .../trigger`, or by a backfill. */
export type OccurrenceKind = 'rule' | 'manual' | 'backfill';

/**
 * One send of one occurrence, as it travels through the plan (the Redis timeline) and the
 * dispatcher's batches to a worker. Everything in it can be derived from the event document, so
 * reconciliation rebuilds exactly the same entry after Redis loses its data.
 */
export interface Occurrence {
  /** When this send is due (epoch ms): the occurrence, or the time of a retry or redelivery. */
  dueAt: number;
  /** The event's id: the `webhook-id` and idempotency key of every attempt. */
  eventId: string;
  scheduleId: string;
  /** The schedule version the event was planned under. */
  version: number;
  /** The occurrence instant (epoch ms). */
  occurrenceAt: number;
  kind: OccurrenceKind;
  /** This send's attempt number (`x-attempt`), 1 for the first. */
  attempt: number;
  /** Redeliveries asked for so far (0: the original delivery). A redelivery survives rule changes. */
  round: number;
  /** Attempts recorded before this round began; the retry policy counts attempts after it. */
  roundStart: number;
  /** When the event was planned (epoch ms): the first history entry of its archived copy. */
  plannedAt: number;
}

const KIND_CODES: Record<OccurrenceKind, string> = { rule: 'r', manual: 'm', backfill: 'b' };
const KINDS_BY_CODE: Record<string, OccurrenceKind> = { r: 'rule', m: 'manual', b: 'backfill' };

/**
 * The id of an event: an ObjectId whose first 4 bytes are the occurrence's epoch seconds (so the
 * id sorts and reads like one created then) and whose other 8 are a hash of the schedule, the
 * version (rule events only), the occurrence instant and the kind. The same occurrence planned
 * twice, by two planners or after Redis lost the plan, gets the same id, so the unique `_id`
 * keeps one event per occurrence; a rule event re-planned under a new version gets a new one, so
 * it is never mistaken for the cancelled event of the old version.
 */
export function eventIdFor({
  scheduleId,
  version,
  occurrenceAt,
  kind,
}: Pick<Occurrence, 'scheduleId' | 'version' | 'occurrenceAt' | 'kind'>): string {
  const seconds = Math.floor(occurrenceAt / 1000) >>> 0;
  const hash = createHash('sha256')
    .update(`${scheduleId}|${kind === 'rule' ? version : 0}|${occurrenceAt}|${kind}`)
    .digest('hex')
    .slice(0, 16);
  return seconds.toString(16).padStart(8, '0') + hash;
}

/**
 * The timeline member of a send: plain text, due instant first (the Lua scripts read the score
 * back from it), fields separated by `|`. Deterministic: equal sends encode to equal members,
 * so adding one twice keeps one.
 */
export function encodeOccurrence(o: Occurrence): string {
  return [
    o.dueAt,
    o.eventId,
    o.scheduleId,
    o.version,
    o.occurrenceAt,
    KIND_CODES[o.kind],
    o.attempt,
    o.round,
    o.roundStart,
    o.plannedAt,
  ].join('|');
}

const HEX24 = /^[0-9a-f]{24}$/;

/** The send a member encodes, or null when the text is not one (a foreign or corrupted member). */
export function decodeOccurrence(member: string): Occurrence | null {
  const parts = member.split('|');
  if (parts.length !== 10) return null;
  const [dueAt, eventId, scheduleId, version, occurrenceAt, kindCode, attempt, round, roundStart, plannedAt] = parts;
  const kind = KINDS_BY_CODE[kindCode ?? ''];
  if (!kind || !eventId || !scheduleId || !HEX24.test(eventId) || !HEX24.test(scheduleId)) return null;
  const numbers = [dueAt, version, occurrenceAt, attempt, round, roundStart, plannedAt].map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) return null;
  const [due, v, at, att, r, rs, planned] = numbers as [number, number, number, number, number, number, number];
  if (v < 1 || att < 1) return null;
  return {
    dueAt: due,
    eventId,
    scheduleId,
    version: v,
    occurrenceAt: at,
    kind,
    attempt: att,
    round: r,
    roundStart: rs,
    plannedAt: planned,
  };
}

/** The next send of the same event: a retry at `dueAt` as attempt + 1. */
export function retryOf(o: Occurrence, dueAt: number): Occurrence {
  return { ...o, dueAt, attempt: o.attempt + 1 };
}

/** Attempts this round has made before this send (what the retry policy's max_attempts counts). */
export function triesBefore(o: Pick<Occurrence, 'attempt' | 'roundStart'>): number {
  return o.attempt - 1 - o.roundStart;
}
