import type { Logger } from '@event-scheduler/logging';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface Shutdown {
  /**
   * Adds a step. Steps run in reverse order of adding, like `defer`: add each resource as it is
   * opened, so intake (HTTP server, BullMQ worker), opened last, stops first.
   */
  add(name: string, run: ShutdownStep['run']): void;
  /** Runs every step once, each under what is left of the deadline; later calls get the same promise. */
  run(reason: string): Promise<boolean>;
}

/**
 * One shutdown sequence for every service. It is idempotent, logs each step, and never waits past
 * `timeoutMs`: BullMQ's `worker.close()` has no timeout of its own, so a stuck step must not keep
 * the process alive. Resolves `true` when every step finished in time.
 */
export function createShutdown({ log, timeoutMs }: { log: Logger; timeoutMs: number }): Shutdown {
  const steps: ShutdownStep[] = [];
  let running: Promise<boolean> | undefined;

  async function runSteps(reason: string): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    log.info({ reason, timeoutMs }, 'shutting down');
    let clean = true;
    for (const step of [...steps].reverse()) {
      const left = deadline - Date.now();
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        Promise.resolve()
          .then(step.run)
          .then(
            () => 'done' as const,
            (error: unknown) => {
              log.error({ err: error, step: step.name }, 'shutdown step failed');
              return 'failed' as const;
            },
          ),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(0, left));
        }),
      ]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        log.error({ step: step.name }, 'shutdown deadline passed');
        return false;
      }
      clean &&= outcome === 'done';
      log.info({ step: step.name, ms: Date.now() - started }, 'shutdown step finished');
    }
    return clean;
  }

  return {
    add: (name, run) => void steps.push({ name, run }),
    run: (reason) => {
      running ??= runSteps(reason);
      return running;
    },
  };
}
