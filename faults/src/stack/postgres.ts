import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portOpen, startProc, stopProc, waitFor } from './process.js';

const run = promisify(execFile);

/** Creates a database on a server the suite started (by URL, trust authentication). */
export async function createDatabase(bin: string, serverUrl: string, name: string): Promise<void> {
  const { port } = new URL(serverUrl);
  await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', name]);
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>` */
  url: string;
  /** Its data directory (linked from `<run>/postgres` when it lies elsewhere). */
  dataDir: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries installed (Debian's layout), or FAULTS_PG_BIN. */
export function postgresBinaries(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.FAULTS_PG_BIN) return existsSync(join(env.FAULTS_PG_BIN, 'postgres')) ? env.FAULTS_PG_BIN : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('running as root, and there is no postgres user to run PostgreSQL as');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A throwaway PostgreSQL server of the suite's own (never the machine's on 5432, whose
 * connections the test FerretDB needs): FerretDB's PostgreSQL backend takes concurrent writers,
 * where SQLite's single writer times out under the suite's load. No durability (fsync off):
 * its data lives for one run. Each scenario gets a database of its own in it.
 */
export async function startPostgres({
  dir,
  bin,
  port,
}: {
  dir: string;
  bin: string;
  port: number;
}): Promise<PrivatePostgres> {
  const user = postgresUser();
  // As root, PostgreSQL runs as `postgres`, which may not be able to enter the checkout (a clone
  // under a 0700 mktemp directory, as CI makes): its data then goes to a directory of its own in
  // the system's temp directory, linked from the run's directory.
  const data = user ? mkdtempSync(join(tmpdir(), 'es-faults-postgres-')) : join(dir, 'postgres');
  if (user) {
    chownSync(data, user.uid, user.gid);
    symlinkSync(data, join(dir, 'postgres'));
  } else mkdirSync(data, { recursive: true, mode: 0o700 });
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    ...as,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
  });
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: data,
    max_connections: '400',
    shared_buffers: '64MB',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
  };
  const proc = startProc({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' },
    logFile: join(dir, 'postgres.log'),
    ...as,
  });
  await waitFor(`postgres on ${port}`, () => portOpen(port), 30_000);
  const url = `postgres://postgres@127.0.0.1:${port}`;
  return {
    url,
    dataDir: data,
    createDatabase: (name) => createDatabase(bin, url, name),
    stop: async () => void (await stopProc(proc, 10_000)),
  };
}
