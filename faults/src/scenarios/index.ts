import type { Scenario } from '../scenario.js';
import { badHeaderValues, keyGuessing, nestedBody } from './api.js';
import { patchLastOccurrences, patchWhileDue, pauseResume } from './changes.js';
import { resendAfterCrash } from './crash.js';
import { databaseDown } from './database.js';
import { dispatcherSigkill, prequeuerDown, sigtermEverything, twoOfEach, workerSigkill } from './processes.js';
import { dripAndBloat, goneAndRetryAfter, noisyNeighbour, receiverErrors, receiverHangs } from './receivers.js';
import { flushallDuringRetries, redisAofKill, redisDown, redisFlushall, redisFreeze } from './redis.js';
import { ruleBombs } from './rule-bombs.js';

/** Every scenario, in the order of the table: the rows, then the defects, then the rest. */
export const SCENARIOS: readonly Scenario[] = [
  workerSigkill,
  dispatcherSigkill,
  prequeuerDown,
  redisFlushall,
  redisDown,
  redisFreeze,
  redisAofKill,
  databaseDown,
  receiverErrors,
  receiverHangs,
  sigtermEverything,
  twoOfEach,
  flushallDuringRetries,
  pauseResume,
  patchWhileDue,
  patchLastOccurrences,
  keyGuessing,
  resendAfterCrash,
  nestedBody,
  badHeaderValues,
  dripAndBloat,
  noisyNeighbour,
  goneAndRetryAfter,
  ruleBombs,
];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
