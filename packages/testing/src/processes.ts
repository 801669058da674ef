import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type AppName = 'api' | 'prequeuer' | 'dispatcher' | 'worker';

export interface ServiceProcess {
  child: ChildProcess;
  /** Every line the process printed so far, stdout and stderr interleaved. */
  lines: string[];
  stderr: string[];
  /** Resolves with the first line matching, or rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts a built service (`apps/<app>/dist/main.js`) as its own process, the way it is deployed,
 * with `env` on top of the current environment.
 */
const running = new Set<ChildProcess>();
let killingOnExit = false;

/**
 * Kills `child` (SIGKILL) if this process exits while it still runs: a test or benchmark that
 * crashes must not leave services behind to load the machine and the shared database.
 */
export function killOnExit(child: ChildProcess): void {
  if (!killingOnExit) {
    killingOnExit = true;
    process.once('exit', () => {
      for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
    // A signal's default action skips 'exit' handlers: exit the same way, through them.
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => process.exit(code));
    }
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export function spawnService(app: AppName, env: Record<string, string>): ServiceProcess {
  const main = `${REPO_ROOT}apps/${app}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const collect = (target: string[]) => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      target.push(line);
      if (target !== lines) lines.push(line);
      for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve(line);
    }
  };
  child.stdout?.on('data', collect(lines));
  child.stderr?.on('data', collect(stderr));
  // 'close', not 'exit': it fires only after stdout and stderr are fully read, so no last line is lost.
  const exited = new Promise<number | string>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${lines.slice(-20).join('\n')}`));
        }, timeoutMs);
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
        };
        waiters.add(waiter);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A TCP port that was free a moment ago, for services under test. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One metric of running services, summed over their health ports: the value of the first
 * `/metrics` line of each that starts with `prefix` (a name, or a name and its first labels:
 * `deliveries_total{outcome="succeeded"`); a service without the line counts 0.
 */
export async function metricSum(ports: readonly number[], prefix: string): Promise<number> {
  let sum = 0;
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    sum += Number(
      text
        .split('\n')
        .find((line) => line.startsWith(prefix))
        ?.split(' ')
        .at(-1) ?? 0,
    );
  }
  return sum;
}
