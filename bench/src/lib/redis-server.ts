import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, killOnExit } from '@event-scheduler/testing';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/**
 * A Redis of the benchmark's own, configured as the method asks: nothing on disk, no
 * eviction (BullMQ needs every key), and the given `hz` (an idle Redis wakes blocked clients only
 * every 1000/hz ms).
 */
export async function startRedis({ hz }: { hz: number }): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--hz',
      String(hz),
    ],
    { stdio: 'ignore' },
  );
  killOnExit(child);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const info = await client.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  client.disconnect();
  return {
    url,
    port,
    pid: child.pid ?? -1,
    version,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
