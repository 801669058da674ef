import { readFileSync } from 'node:fs';
import { closeLogger, createLogger, type Logger } from '@event-scheduler/logging';
import { createShutdown, type Shutdown } from './shutdown.js';

/** The part of every service's config that the runner itself reads. */
export interface BaseServiceConfig {
  log: { level: string };
  shutdown: { timeout_seconds: number };
}

export interface ServiceContext<C> {
  config: C;
  log: Logger;
  shutdown: Shutdown;
}

export interface RunServiceOptions<C extends BaseServiceConfig> {
  /** Service name, on every log line. */
  name: string;
  /** The service's package.json, for the version on every log line. */
  packageJson: URL;
  /** Loads and validates config; a thrown error with a one-line message stops the process (exit 78). */
  loadConfig: () => C;
  /** Opens connections and starts intake, adding a shutdown step for each resource it opens. */
  start: (ctx: ServiceContext<C>) => Promise<void>;
}

/** Exit code for a configuration error (sysexits EX_CONFIG). */
export const EXIT_CONFIG = 78;

/**
 * The one way every service starts and stops: config first (a bad value prints one line and exits
 * 78), then the logger, then `start`; SIGTERM/SIGINT run the shutdown steps once under the
 * configured deadline and exit 0 (1 when a step failed or the deadline passed). A start that
 * fails, for example because Mongo or Redis cannot be reached, is logged and exits 1.
 */
export function runService<C extends BaseServiceConfig>({
  name,
  packageJson,
  loadConfig,
  start,
}: RunServiceOptions<C>): void {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_CONFIG;
    return;
  }
  const version = readVersion(packageJson);
  const log = createLogger({ service: name, version, level: config.log.level });
  const shutdown = createShutdown({ log, timeoutMs: config.shutdown.timeout_seconds * 1000 });
  let stopping = false;
  let exitCode = 0;
  const stop = (reason: string, code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    void shutdown.run(reason).then(async (clean) => {
      log.info({ reason, clean }, 'stopped');
      // pino writes asynchronously: exit only once the last line is out, or it is lost.
      await closeLogger(log);
      process.exit(clean ? exitCode : 1);
    });
  };

  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception');
    stop('uncaughtException', 1);
  });
  process.on('unhandledRejection', (error) => {
    log.fatal({ err: error }, 'unhandled rejection');
    stop('unhandledRejection', 1);
  });

  log.info({ node: process.version }, 'starting');
  start({ config, log, shutdown }).then(
    () => log.info('started'),
    (error: unknown) => {
      log.fatal({ err: error }, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
      stop('start failed', 1);
    },
  );
}

function readVersion(packageJson: URL): string {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
