import type { Logger } from '@event-scheduler/logging';

export interface Loop {
  /** Stops after the run in progress, if any; resolves once it has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then `intervalMs` after each run ends, so runs never overlap however long
 * one takes. A failed run is logged and the loop goes on.
 */
export function every(name: string, intervalMs: number, task: () => Promise<unknown>, log: Logger): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = task()
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: error, loop: name }, 'periodic task failed'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
