import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
 * A FerretDB of the scenario's own (never the shared test one on 27018). Its data survives a
 * SIGKILL and a restart: either a database of its own on the suite's private PostgreSQL
 * (`postgresUrl`: concurrent writers), or SQLite files in the scenario's directory.
 */
export async function startDatabase({
  dir,
  binary,
  postgresUrl,
  port,
}: {
  dir: string;
  binary: string;
  port: number;
  /** A database on the suite's private PostgreSQL; absent: SQLite. */
  postgresUrl?: string;
}): Promise<PrivateDatabase> {
  if (!existsSync(binary))
    throw new Error(`${binary} is missing: build FerretDB first (bash scripts/services.sh up test builds it)`);
  const data = join(dir, 'ferretdb');
  mkdirSync(data, { recursive: true });
  // FerretDB holds a PostgreSQL connection per update statement until its command ends and
  // stalls when its pool runs out (see the README): give it plenty.
  const backend = postgresUrl
    ? ['--handler=postgresql', `--postgresql-url=${postgresUrl}?pool_max_conns=60`]
    : ['--handler=sqlite', `--sqlite-url=file:${data}/`];
  const proc = startProc({
    name: 'ferretdb',
    command: binary,
    args: [...backend, `--listen-addr=127.0.0.1:${port}`, '--log-level=warn'],
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
