import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

/** A Prometheus registry with the process metrics, every series labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What a MongoClient with `monitorCommands` emits, as far as counting needs it. */
interface CommandEmitter {
  on(
    event: 'commandStarted',
    listener: (event: { commandName: string; command: Record<string, unknown> }) => void,
  ): unknown;
}

/** The statements a write command carries: documents inserted, updates, deletes (one for anything else). */
export function statementsOf(commandName: string, command: Record<string, unknown>): number {
  const list = command[commandName === 'insert' ? 'documents' : commandName === 'update' ? 'updates' : 'deletes'];
  return ['insert', 'update', 'delete'].includes(commandName) && Array.isArray(list) ? list.length : 1;
}

/**
 * Counts the commands a database client sends, by name (`db_commands_total{command}`: round
 * trips), and the statements in them (`db_statements_total{command}`: documents inserted, updates,
 * deletes; one per read): the operations each delivered occurrence costs, which the benchmarks
 * report, and rates worth watching in production.
 */
export function countDatabaseCommands(client: CommandEmitter, registry: Registry): void {
  const commands = new Counter({
    name: 'db_commands_total',
    help: 'Database commands sent (round trips), by command name.',
    labelNames: ['command'],
    registers: [registry],
  });
  const statements = new Counter({
    name: 'db_statements_total',
    help: 'Statements in the database commands sent (documents inserted, updates, deletes; 1 per other command), by command name.',
    labelNames: ['command'],
    registers: [registry],
  });
  client.on('commandStarted', (event) => {
    commands.labels(event.commandName).inc();
    statements.labels(event.commandName).inc(statementsOf(event.commandName, event.command));
  });
}
