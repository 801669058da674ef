import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { killOnExit } from '@event-scheduler/testing';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** One child process of a stack: a server the harness can signal, wait for and start again. */
export interface Proc {
  name: string;
  pid(): number;
  running(): boolean;
  /** SIGKILL, SIGTERM, SIGSTOP, SIGCONT... to this process only. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the current run exits. */
  exited(): Promise<Exit>;
  /** Starts it again with the same command, environment and log file (after it exited). */
  restart(): void;
}

export interface ProcOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** stdout and stderr are appended here (never piped through the harness: cheaper, and kept). */
  logFile: string;
  cwd?: string;
  /** Run as this user and group (PostgreSQL will not run as root). */
  uid?: number;
  gid?: number;
}

/**
 * Runs a server as a child process of the harness. Every run is killed if the harness dies
 * (`killOnExit`), so a crashed scenario leaves nothing behind on the shared machine.
 */
export function startProc(options: ProcOptions): Proc {
  let child: ChildProcess;
  let exit: Promise<Exit>;
  const launch = () => {
    const log = openSync(options.logFile, 'a');
    child = spawn(options.command, options.args, {
      env: options.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    killOnExit(child);
    exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
    child.once('error', () => undefined);
  };
  launch();
  return {
    name: options.name,
    pid: () => child.pid ?? -1,
    running: () => child.exitCode === null && child.signalCode === null,
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited: () => exit,
    restart() {
      if (child.exitCode === null && child.signalCode === null)
        throw new Error(`${options.name} is still running (pid ${child.pid})`);
      launch();
    },
  };
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. A stopped (SIGSTOP) one is woken first. */
export async function stopProc(proc: Proc, graceMs = 10_000): Promise<Exit> {
  if (!proc.running()) return proc.exited();
  proc.signal('SIGCONT');
  proc.signal('SIGTERM');
  const timer = setTimeout(() => proc.signal('SIGKILL'), graceMs);
  const exit = await proc.exited();
  clearTimeout(timer);
  return exit;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Thrown by a probe that knows waiting longer is pointless (the process it waits for died). */
export class StopWaiting extends Error {}

/** Polls `probe` until it returns true, or throws `what` after `timeoutMs` (at once on StopWaiting). */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await probe().catch((error: unknown) => {
      if (error instanceof StopWaiting) throw error;
      return false;
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}
