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
  'headers["x-api-key"]',
  'headers.authorization',
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
  return destination ? pino(options, destination) : pino(options);
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
