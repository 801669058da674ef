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
  on(event: 'commandStarted', listener: (event: { commandName: string }) => void): unknown;
}

/**
 * Counts the commands a database client sends, by name (`db_commands_total{command}`): the
 * operations each delivered occurrence costs, which the benchmarks report, and a rate worth
 * watching in production.
 */
export function countDatabaseCommands(client: CommandEmitter, registry: Registry): void {
  const commands = new Counter({
    name: 'db_commands_total',
    help: 'Database commands sent, by command name.',
    labelNames: ['command'],
    registers: [registry],
  });
  client.on('commandStarted', (event) => commands.labels(event.commandName).inc());
}
