import type { Pipeline } from '../lib/delivery-run.js';

/** Our four services against a private Redis (filled in once the pipeline exists). */
export async function startOurs(_options: {
  redisUrl: string;
  receiverUrl: string;
  smoke: boolean;
}): Promise<Pipeline & { stop(): Promise<void> }> {
  throw new Error('not yet');
}
