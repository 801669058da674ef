import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, killOnExit } from './processes.js';
import { sleep } from './wait.js';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  child: ChildProcess;
  /** Sends one command (inline form) and resolves with the raw reply, e.g. `+OK`. */
  command(text: string): Promise<string>;
  stop(): Promise<void>;
}

/** One inline command on a fresh connection; the raw first reply line. */
function send(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error(`redis on ${port}: no reply to ${text}`)));
    socket.once('error', reject);
    socket.on('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.split('\r\n')[0] ?? '');
      }
    });
  });
}

/**
 * A redis-server of the test's own (nothing on disk), for faults the shared Redis must never
 * see: FLUSHALL, a kill, a restart. Killed if the test process dies.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  killOnExit(child);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pong = await send(port, 'PING').catch(() => '');
    if (pong === '+PONG') break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on port ${port} did not start`);
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    command: (text) => send(port, text),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
