import type { Redis } from 'ioredis';
import type { Principal } from './api-key.service.js';

/**
 * Authenticated keys kept in memory, so a request costs no database read for its key. A revoked
 * key must still fail on its very next request, on every API process: a revocation is published
 * on a Redis channel and every process drops the key at once. While this process's subscription
 * is not connected (it would miss revocations) the cache is not used at all, and everything in it
 * is dropped when the subscription comes back. Entries also expire after `ttlMs`.
 */
export interface KeyCache {
  get(hash: string): Principal | undefined;
  set(hash: string, principal: Principal): void;
  /** Drops a key here and tells every other API process to drop it (awaited before a revocation answers). */
  revoke(hash: string): Promise<void>;
  close(): Promise<void>;
}

/** Longest wait for a revocation's own announcement to come back. */
const ECHO_WAIT_MS = 1000;

export async function createKeyCache({
  publisher,
  subscriber,
  channel,
  ttlMs = 60_000,
  maxSize = 100_000,
}: {
  publisher: Pick<Redis, 'publish'>;
  /** A connection of its own (a subscribed connection can do nothing else). */
  subscriber: Redis;
  channel: string;
  ttlMs?: number;
  maxSize?: number;
}): Promise<KeyCache> {
  const entries = new Map<string, { principal: Principal; until: number }>();
  const echoes = new Map<string, () => void>();
  let live = false;
  subscriber.on('message', (from: string, hash: string) => {
    if (from !== channel) return;
    entries.delete(hash);
    echoes.get(hash)?.();
  });
  subscriber.on('ready', () => {
    entries.clear();
    live = true;
  });
  const lost = () => {
    live = false;
  };
  for (const event of ['close', 'end', 'reconnecting', 'error']) subscriber.on(event, lost);
  await subscriber.subscribe(channel);
  live = true;
  return {
    get(hash) {
      if (!live) return undefined;
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (entry.until < Date.now()) {
        entries.delete(hash);
        return undefined;
      }
      return entry.principal;
    },
    set(hash, principal) {
      if (!live) return;
      if (entries.size >= maxSize) entries.delete(entries.keys().next().value as string);
      entries.set(hash, { principal, until: Date.now() + ttlMs });
    },
    async revoke(hash) {
      entries.delete(hash);
      // Answered once this process heard its own announcement: Redis hands a message to every
      // subscriber at once, so the other processes have it by then too (up to ECHO_WAIT_MS).
      const heard = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ECHO_WAIT_MS);
        echoes.set(hash, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await publisher.publish(channel, hash);
      await heard;
      echoes.delete(hash);
    },
    async close() {
      live = false;
      entries.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
