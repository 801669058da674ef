import { type Logger, redactUrl } from '@event-scheduler/logging';
import { countDatabaseCommands, type Registry, retryUntil, type Shutdown } from '@event-scheduler/runtime';
import mongoose, { type Connection } from 'mongoose';

export interface ConnectMongoOptions {
  uri: string;
  database: string;
  /** How long the driver may look for a server before an operation fails; default 10 s. */
  serverSelectionTimeoutMs?: number;
  /** Emit command events (counted by {@link openMongo} into `db_commands_total`). */
  monitorCommands?: boolean;
}

/**
 * Opens a dedicated mongoose connection (never the global one, so tests and services can hold
 * several). Rules that keep the data layer working on both MongoDB and FerretDB v1:
 * - `bufferCommands: false`: during an outage a query fails fast instead of hanging.
 * - `autoIndex: false`: indexes are created once by {@link ensureIndexes}, not racily per model.
 * - No transactions, change streams, TTL or partial indexes: FerretDB v1 rejects or ignores them.
 */
export async function connectMongo({
  uri,
  database,
  serverSelectionTimeoutMs = 10_000,
  monitorCommands = false,
}: ConnectMongoOptions): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName: database,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
    // Bounds the commands one process runs at once: FerretDB v1 deadlocks when concurrent update
    // statements exhaust its PostgreSQL pool (see bulk-writer.ts).
    maxPoolSize: 10,
    appName: 'event-scheduler',
    monitorCommands,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  return connection;
}

/** Throws unless the server answers a ping; used by readiness checks. */
export async function pingMongo(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('mongo connection is not open');
  await db.admin().command({ ping: 1 });
}

/** Creates every index the registered models declare; safe to run on every start. */
export async function ensureIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) await model.createIndexes();
  // Before the engine derived event ids from the occurrence, (schedule_id, occurrence_at) was
  // unique; a re-planned occurrence under a new version must be able to share the instant.
  await connection
    .collection('events')
    .dropIndex('schedule_id_1_occurrence_at_1')
    .catch(() => undefined);
}

/** MongoDB and FerretDB both report a unique-index violation as E11000 (code 11000). */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * Connects at start-up, retrying for `mongo.connect_timeout_seconds`, then registers the close
 * with the service's shutdown. Fails with a message naming the database when it never answers.
 * With a `registry`, the commands sent are counted there (`db_commands_total{command}`).
 */
export async function openMongo({
  mongo,
  log,
  shutdown,
  registry,
  serverSelectionTimeoutMs = 5000,
}: {
  mongo: { uri: string; database: string; connect_timeout_seconds: number };
  log: Logger;
  shutdown: Pick<Shutdown, 'add'>;
  registry?: Registry;
  /** How long an operation waits for a server during an outage before it fails; default 5 s. */
  serverSelectionTimeoutMs?: number;
}): Promise<Connection> {
  const connection = await retryUntil(
    `MongoDB at ${redactUrl(mongo.uri)}`,
    () =>
      connectMongo({
        uri: mongo.uri,
        database: mongo.database,
        serverSelectionTimeoutMs,
        monitorCommands: registry !== undefined,
      }),
    { timeoutMs: mongo.connect_timeout_seconds * 1000, log },
  );
  if (registry) countDatabaseCommands(connection.getClient(), registry);
  shutdown.add('mongo', () => connection.close());
  log.info({ database: mongo.database }, 'mongo connected');
  return connection;
}
