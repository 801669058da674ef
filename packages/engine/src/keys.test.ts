import { describe, expect, it } from '@jest/globals';
import { batchJobId, engineKeys } from './keys.js';

describe('engineKeys', () => {
  it('hash-tags every key of a shard alike, so one shard lives in one cluster slot', () => {
    const keys = engineKeys('es');
    const id = '65a1b2c3d4e5f60718293a4b';
    for (const key of [
      keys.timeline(0),
      keys.taking(0),
      keys.held(0),
      keys.snapshot(id),
      keys.runtime(id),
      keys.busy(id),
      keys.epoch(0),
    ])
      expect(key.startsWith('{es:0}:')).toBe(true);
    expect(keys.queuePrefix(0)).toBe('{es:0}');
  });

  it('spreads schedules over shards, each for life', () => {
    const keys = engineKeys('es', 4);
    const ids = Array.from({ length: 400 }, (_, i) => i.toString(16).padStart(24, '0'));
    const shards = ids.map((id) => keys.shardOf(id));
    expect(new Set(shards)).toEqual(new Set([0, 1, 2, 3]));
    expect(ids.map((id) => keys.shardOf(id))).toEqual(shards);
    for (const id of ids) expect(keys.snapshot(id).startsWith(`{es:${keys.shardOf(id)}}`)).toBe(true);
  });

  it('rejects a shard count that is not a positive integer', () => {
    expect(() => engineKeys('es', 0)).toThrow(RangeError);
  });
});

describe('batchJobId', () => {
  it('is the same for the same sends and differs otherwise; BullMQ accepts it', () => {
    const a = batchJobId(1_900_000_000, ['x', 'y']);
    expect(batchJobId(1_900_000_000, ['x', 'y'])).toBe(a);
    expect(batchJobId(1_900_000_000, ['x', 'z'])).not.toBe(a);
    expect(a).not.toContain(':');
    expect(Number.isInteger(Number(a))).toBe(false);
  });
});
