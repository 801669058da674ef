/** The allow-list parser the sender's options take (from @event-scheduler/callback), for callers that have only this module. */
export { type AllowList, parseAllowList } from '@event-scheduler/callback';
export type { ConnectionPoolOptions, PoolStats } from './connections.js';
export type { LookupAll } from './resolver.js';
export { createSender, type Prepared, type PrepareOptions, type Sender, type SenderOptions } from './sender.js';
export type { CallbackRequest, CallResult, ErrorKind, SendResult } from './types.js';
