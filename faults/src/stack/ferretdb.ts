import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@event-scheduler/testing';
import { type Proc, portOpen, startProc, stopProc, waitFor } from './process.js';

export interface PrivateDatabase {
  url: string;
  port: number;
  proc: Proc;
  ready(timeoutMs?: number): Promise<void>;
  /** Starts it again on the same port with the same data (SQLite files in the scenario's directory). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A FerretDB of the scenario's own (never the shared test one on 27018), with the SQLite
 * backend in the scenario's directory: its data survives a SIGKILL and a restart, and
 * scenarios running in parallel do not share a writer.
 */
export async function startDatabase({ dir, binary }: { dir: string; binary: string }): Promise<PrivateDatabase> {
  if (!existsSync(binary))
    throw new Error(`${binary} is missing: build FerretDB first (bash scripts/services.sh up test builds it)`);
  const data = join(dir, 'ferretdb');
  mkdirSync(data, { recursive: true });
  const port = await freePort();
  const proc = startProc({
    name: 'ferretdb',
    command: binary,
    args: ['--handler=sqlite', `--sqlite-url=file:${data}/`, `--listen-addr=127.0.0.1:${port}`, '--log-level=warn'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DO_NOT_TRACK: '1' },
    logFile: join(dir, 'ferretdb.log'),
  });
  const database: PrivateDatabase = {
    url: `mongodb://127.0.0.1:${port}`,
    port,
    proc,
    ready: (timeoutMs = 30_000) => waitFor(`ferretdb on ${port}`, () => portOpen(port), timeoutMs),
    async restart() {
      proc.restart();
      await database.ready();
    },
    async stop() {
      await stopProc(proc, 5000);
    },
  };
  await database.ready();
  return database;
}
