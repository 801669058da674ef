import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@event-scheduler/logging';
import { describe, expect, it } from '@jest/globals';
import { createShutdown } from './shutdown.js';

const silent = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

describe('createShutdown', () => {
  it('runs steps once, last added first', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ log: silent, timeoutMs: 1000 });
    shutdown.add('mongo', () => void order.push('mongo'));
    shutdown.add('redis', async () => void order.push('redis'));
    shutdown.add('http', () => void order.push('http'));
    const [first, second] = await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);
    expect(order).toEqual(['http', 'redis', 'mongo']);
    expect([first, second]).toEqual([true, true]);
  });

  it('keeps going after a failed step and reports it', async () => {
    const order: string[] = [];
    const shutdown = createShutdown({ log: silent, timeoutMs: 1000 });
    shutdown.add('a', () => void order.push('a'));
    shutdown.add('b', () => Promise.reject(new Error('boom')));
    expect(await shutdown.run('test')).toBe(false);
    expect(order).toEqual(['a']);
  });

  it('gives up at the deadline instead of waiting for a stuck step', async () => {
    const shutdown = createShutdown({ log: silent, timeoutMs: 50 });
    shutdown.add('stuck', () => sleep(10_000, undefined, { ref: false }));
    const started = Date.now();
    expect(await shutdown.run('test')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
