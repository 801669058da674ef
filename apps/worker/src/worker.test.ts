import { DELIVER_JOB, encodeOccurrence, type Occurrence } from '@event-scheduler/engine';
import { createLogger } from '@event-scheduler/logging';
import { describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import type { BatchContext } from './delivery/batch.service.js';
import { createBatchProcessor, firedRuns } from './worker.js';

const send: Occurrence = {
  dueAt: 1_800_000_000_000,
  eventId: 'aa'.repeat(12),
  scheduleId: 'bb'.repeat(12),
  version: 1,
  occurrenceAt: 1_800_000_000_000,
  kind: 'rule',
  attempt: 1,
  round: 0,
  roundStart: 0,
  plannedAt: 1_799_999_000_000,
};

/** A batch job as BullMQ hands it over on a run, keeping its progress across runs as Redis does. */
function batchJob(progress: unknown) {
  const job = {
    id: 'b-1',
    name: DELIVER_JOB,
    data: { sends: [encodeOccurrence(send)], taken_at: send.dueAt - 1000 },
    progress,
    async updateProgress(value: number) {
      job.progress = value;
    },
  };
  return job;
}

/** Runs the processor once on `job`; the run fires (or fails before firing) as told. */
async function runOnce(
  job: ReturnType<typeof batchJob>,
  outcome: 'fires' | 'fails before firing' | 'fires, then fails',
) {
  let seen = -1;
  const processor = createBatchProcessor(
    {
      async run(_sends, { lostRuns }, ctx: BatchContext) {
        seen = lostRuns;
        if (outcome === 'fails before firing') throw new Error('database away');
        await ctx.firing?.();
        if (outcome === 'fires, then fails') throw new Error('could not record');
        return [];
      },
    },
    createLogger({ service: 'test', level: 'silent' }),
  );
  await processor(job as unknown as Job).catch(() => undefined);
  return seen;
}

describe('the batch processor counts the earlier runs that fired', () => {
  it('a first run has none; a run that fired raises the count for the next', async () => {
    const job = batchJob(0);
    expect(await runOnce(job, 'fires, then fails')).toBe(0);
    expect(await runOnce(job, 'fires')).toBe(1);
  });

  it('runs that failed before firing count for nothing: the re-send is not numbered past them', async () => {
    const job = batchJob(0);
    expect(await runOnce(job, 'fails before firing')).toBe(0);
    expect(await runOnce(job, 'fails before firing')).toBe(0);
    expect(await runOnce(job, 'fires, then fails')).toBe(0);
    expect(await runOnce(job, 'fires')).toBe(1);
  });

  it('reads only a whole positive count from the progress', () => {
    expect([undefined, null, 0, -1, 1.5, '2', {}, 3].map(firedRuns)).toEqual([0, 0, 0, 0, 0, 0, 0, 3]);
  });
});
