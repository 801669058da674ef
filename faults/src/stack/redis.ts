import { connect } from 'node:net';
import { join } from 'node:path';
import { type Proc, startProc, stopProc, waitFor } from './process.js';

export interface PrivateRedis {
  url: string;
  port: number;
  aof: boolean;
  proc: Proc;
  /** Waits until it answers PING. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends one command and returns the first line of the reply (`+OK`, `-ERR ...`). */
  command(...args: string[]): Promise<string>;
  /** Starts it again on the same port and directory (an AOF instance reloads its data). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** One command in RESP, one reply line back; enough for PING, FLUSHALL and SHUTDOWN. */
export function redisCommand(port: number, args: string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`redis on ${port}: no reply within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end < 0) return;
      socket.destroy();
      resolve(reply.slice(0, end));
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`redis on ${port}: connection closed`)));
  });
}

/**
 * A Redis of the scenario's own (never the machine's shared one): no eviction (BullMQ needs
 * every key), and either nothing on disk or AOF with fsync on every write, so a SIGKILL loses
 * nothing.
 */
export async function startRedis({
  dir,
  aof,
  port,
}: {
  dir: string;
  aof: boolean;
  port: number;
}): Promise<PrivateRedis> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--maxmemory-policy', 'noeviction'];
  args.push('--save', '', ...(aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const proc = startProc({
    name: 'redis',
    command: 'redis-server',
    args,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logFile: join(dir, 'redis.log'),
  });
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    aof,
    proc,
    ready: (timeoutMs = 15_000) =>
      waitFor(`redis on ${port}`, async () => (await redisCommand(port, ['PING'])) === '+PONG', timeoutMs),
    command: (...command) => redisCommand(port, command),
    async restart() {
      proc.restart();
      await redis.ready();
    },
    async stop() {
      await stopProc(proc, 5000);
    },
  };
  await redis.ready();
  return redis;
}
