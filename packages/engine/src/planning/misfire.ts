import type { MisfirePolicy } from '@event-scheduler/models';

export type Fate = 'fire' | 'skip';

/**
 * True when an occurrence counts as missed: it is more than `graceMs` in the past. A missed
 * occurrence follows the schedule's misfire policy instead of firing as planned.
 */
export function isMissed(occurrenceAt: Date, now: Date, graceMs: number): boolean {
  return occurrenceAt.getTime() < now.getTime() - graceMs;
}

/**
 * What happens to each occurrence of one planning pass, oldest first:
 * - not missed: fires;
 * - `fire_all`: every missed one fires, oldest first;
 * - `skip`: every missed one is recorded as skipped;
 * - `fire_once`: the latest missed one fires, the others are skipped. When more missed
 *   occurrences follow that this pass did not reach (`moreMissedPending`), the latest one is
 *   still ahead, so all of these are skipped.
 */
export function misfireFates(
  occurrences: readonly Date[],
  {
    policy,
    graceMs,
    now,
    moreMissedPending = false,
  }: { policy: MisfirePolicy; graceMs: number; now: Date; moreMissedPending?: boolean },
): Fate[] {
  let latestMissed = -1;
  occurrences.forEach((at, i) => {
    if (isMissed(at, now, graceMs)) latestMissed = i;
  });
  return occurrences.map((at, i) => {
    if (!isMissed(at, now, graceMs) || policy === 'fire_all') return 'fire';
    if (policy === 'skip') return 'skip';
    return i === latestMissed && !moreMissedPending ? 'fire' : 'skip';
  });
}

/**
 * The dispatcher's misfire check for one job that arrived after its grace (a dispatcher or Redis
 * outage): `skip` skips it; `fire_all` fires it; `fire_once` fires it only if it is the latest
 * missed occurrence, that is, the rule's next occurrence after it is not itself missed (it is
 * still within grace, in the future, or there is none). Every other missed one is skipped, so
 * after an outage exactly one missed occurrence fires, whichever order the jobs arrive in.
 */
export function lateJobFate({
  policy,
  nextOccurrence,
  now,
  graceMs,
}: {
  policy: MisfirePolicy;
  nextOccurrence: Date | null;
  now: Date;
  graceMs: number;
}): Fate {
  if (policy === 'fire_all') return 'fire';
  if (policy === 'skip') return 'skip';
  return nextOccurrence && isMissed(nextOccurrence, now, graceMs) ? 'skip' : 'fire';
}
