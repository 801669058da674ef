import { type ChildProcess, spawn } from 'node:child_process';
import { killOnExit } from '@event-scheduler/testing';

export interface Child {
  process: ChildProcess;
  lines: string[];
  /** The first line matching, among lines from index `since` on (default all). */
  waitForLine(pattern: RegExp, timeoutMs?: number, since?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Runs `node <script>` with env on top of ours, collecting its output lines. */
export function startNode(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    process: child,
    lines,
    waitForLine(pattern, timeoutMs = 60_000, since = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.slice(since).find((l) => pattern.test(l));
          if (!line) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(line);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`${script}: no line matching ${pattern} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
        void closed.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`${script} exited:\n${lines.slice(-20).join('\n')}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}
