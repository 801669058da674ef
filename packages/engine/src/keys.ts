import { createHash } from 'node:crypto';

/**
 * Every Redis key and channel the engine uses, derived in one place (as BullMQ's QueueKeys does).
 * Keys are hash-tagged by shard (`{<prefix>:<shard>}`), so each shard's keys live in one Redis
 * Cluster slot and its Lua scripts may touch several of them; a deployment spreads load over a
 * cluster by raising the shard count. A schedule belongs to one shard for life (by its id).
 */
export interface EngineKeys {
  readonly prefix: string;
  readonly shards: number;
  /** The shard of a schedule. */
  shardOf(scheduleId: string): number;
  /** Planned sends, scored by due instant. */
  timeline(shard: number): string;
  /** Sends a dispatcher took and has not handed over yet, scored by the end of its lease. */
  taking(shard: number): string;
  /** Sends handed to a worker in a batch job: member -> batch job id. */
  held(shard: number): string;
  /** A schedule's snapshot (its fence and what a send needs). */
  snapshot(scheduleId: string): string;
  /** A schedule's runtime facts written by workers: last run, failure streak. */
  runtime(scheduleId: string): string;
  /** Sends of a schedule in flight or waiting for a retry (only for overlap policies other than allow). */
  busy(scheduleId: string): string;
  /**
   * What a planned retry carries to its next attempt (the event's history and attempts), so the
   * attempt reads nothing from the database; gone with Redis, when the worker reads the live event.
   */
  carry(scheduleId: string, eventId: string): string;
  /** Exists while the shard's data is intact; gone after a wipe or a restart without persistence. */
  epoch(shard: number): string;
  /** BullMQ prefix of the shard's worker queue (hash-tagged the same way). */
  queuePrefix(shard: number): string;
  /** Pub/sub channel of schedule changes (fence updates). */
  readonly changes: string;
}

export function engineKeys(prefix: string, shards = 1): EngineKeys {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError('shards must be a positive integer');
  const tag = (shard: number) => `{${prefix}:${shard}}`;
  const shardOf = (scheduleId: string) =>
    shards === 1 ? 0 : createHash('sha1').update(scheduleId).digest().readUInt32BE(0) % shards;
  return {
    prefix,
    shards,
    shardOf,
    timeline: (shard) => `${tag(shard)}:timeline`,
    taking: (shard) => `${tag(shard)}:taking`,
    held: (shard) => `${tag(shard)}:held`,
    snapshot: (scheduleId) => `${tag(shardOf(scheduleId))}:snap:${scheduleId}`,
    runtime: (scheduleId) => `${tag(shardOf(scheduleId))}:run:${scheduleId}`,
    busy: (scheduleId) => `${tag(shardOf(scheduleId))}:busy:${scheduleId}`,
    carry: (scheduleId, eventId) => `${tag(shardOf(scheduleId))}:carry:${eventId}`,
    epoch: (shard) => `${tag(shard)}:epoch`,
    queuePrefix: (shard) => tag(shard),
    changes: `${prefix}:changes`,
  };
}

/**
 * The id of a batch job: the due second and a digest of the sends in it, so handing the same
 * sends over twice (a dispatcher that died half-way and a retry of its work) adds one job.
 * BullMQ rejects ids with `:` or that are integers; this has neither.
 */
export function batchJobId(dueSecond: number, members: readonly string[]): string {
  const digest = createHash('sha1');
  for (const m of members) digest.update(m).update('\n');
  return `b-${dueSecond}-${digest.digest('hex').slice(0, 20)}`;
}
