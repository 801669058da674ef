import { autoPause, type Engine, type HeldSend, type RuntimeStore } from '@event-scheduler/engine';
import type { Logger } from '@event-scheduler/logging';
import { findSchedulesByIds } from '@event-scheduler/models';
import { Types } from 'mongoose';

/** Runtime facts are written at most this often (one round trip for every schedule that ran). */
const FLUSH_EVERY_MS = 1000;

/**
 * What a worker learns as schedules run, kept in Redis (see the engine's runtime store): the last
 * run of each schedule (batched: a schedule firing every second costs one write a second, shared
 * with every other schedule), and failure streaks: a schedule whose occurrences fail
 * `max_consecutive_failures` times in a row is paused (0 turns that off), through the engine's
 * auto-pause, which announces it and cancels what is planned; a success ends the streak.
 */
export function createFailureWatch({
  engine,
  runtime,
  log,
}: {
  engine: Parameters<typeof autoPause>[0] & Pick<Engine, 'models'>;
  runtime: RuntimeStore;
  log: Logger;
}) {
  let runs = new Map<string, number>();
  let streaksEnded = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const [pendingRuns, ended] = [runs, streaksEnded];
    runs = new Map();
    streaksEnded = new Set();
    try {
      await runtime.noteRuns(pendingRuns);
      await Promise.all([...ended].map((id) => runtime.endStreak(id)));
    } catch (error) {
      log.warn({ err: error }, 'writing schedule runtime facts failed');
    }
  }
  const soon = () => {
    timer ??= setTimeout(() => void flush(), FLUSH_EVERY_MS);
  };

  return {
    /** Remembers the latest attempted occurrence of a schedule (its `last_run_at`). */
    noteRun(scheduleId: string, occurrenceAt: number): void {
      if ((runs.get(scheduleId) ?? 0) < occurrenceAt) runs.set(scheduleId, occurrenceAt);
      soon();
    },

    /** Counts an occurrence's final outcome towards its schedule's failure streak. */
    async record(h: HeldSend, status: 'succeeded' | 'failed', now: Date): Promise<void> {
      const scheduleId = h.send.scheduleId;
      if (status === 'succeeded') {
        if (h.snapshot.max_consecutive_failures > 0) {
          streaksEnded.add(scheduleId);
          soon();
        }
        return;
      }
      streaksEnded.delete(scheduleId);
      const { count, since } = await runtime.countFailure(scheduleId, now);
      const limit = h.snapshot.max_consecutive_failures;
      if (limit <= 0 || count < limit) return;
      const [schedule] = await findSchedulesByIds(engine.models, [new Types.ObjectId(scheduleId)]);
      if (!schedule) return;
      const paused = await autoPause(engine, schedule, { streak: count, since, now });
      // The counter restarts at the pause, so a resumed schedule gets a fresh streak.
      if (paused) await runtime.endStreak(scheduleId);
    },

    flush,
  };
}
