import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Service name, on every line as `service`. */
  service: string;
  /** Service version, on every line as `version`; default the package version or "0.0.0". */
  version?: string;
  /** pino level; default `info`. */
  level?: string;
  /** Where lines go; default standard output. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/**
 * Secrets never reach a log line: API keys, authorization headers, signing secrets and
 * passwords inside connection URLs are censored wherever they appear in these paths.
 */
export const REDACT_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-admin-key"]',
  'headers["x-api-key"]',
  'headers.authorization',
  'headers["x-admin-key"]',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.signing_secret',
  '*.password',
];

/** JSON lines with service, version and pid on each; pretty output is left to `pino-pretty` on a TTY. */
export function createLogger({ service, version = '0.0.0', level = 'info', destination }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level,
    base: { service, version, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (destination) return pino(options, destination);
  const stdout = pino.destination({ dest: 1, sync: false });
  const log = pino(options, stdout);
  ownedDestinations.set(log, stdout);
  return log;
}

type Destination = ReturnType<typeof pino.destination>;
const ownedDestinations = new WeakMap<Logger, Destination>();

/**
 * Resolves once every line written so far has reached standard output. pino writes asynchronously
 * and `flush(cb)` calls back before an in-flight write lands, so a process that exits from it can
 * lose its last line; ending the destination waits for the write itself. Log nothing afterwards.
 */
export function closeLogger(log: Logger): Promise<void> {
  const stdout = ownedDestinations.get(log);
  if (!stdout) return Promise.resolve();
  ownedDestinations.delete(log);
  return new Promise((resolve) => {
    stdout.once('close', () => resolve());
    // A destination that never closes (a wedged pipe) must not keep the process alive for ever.
    setTimeout(resolve, 2000).unref();
    stdout.end();
  });
}

/** Hides the password of a connection URL before it is logged or printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
