import { createServer, type Server } from 'node:http';
import type { Logger } from '@event-scheduler/logging';
import type { Registry } from 'prom-client';
import type { Shutdown } from './shutdown.js';

export type ReadinessCheck = () => Promise<void>;

export interface HealthServerOptions {
  port: number;
  host?: string;
  log: Logger;
  /** Each check throws when its dependency does not answer; `/readyz` is 503 then. */
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
  shutdown: Pick<Shutdown, 'add'>;
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies answer) and `/metrics`
 * (Prometheus) for the services that have no HTTP API of their own.
 */
export async function startHealthServer({
  port,
  host = '0.0.0.0',
  log,
  checks,
  registry,
  shutdown,
}: HealthServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (path === '/healthz') return reply(200, { status: 'ok' });
    if (path === '/readyz') {
      void readiness(checks).then(({ ok, results }) =>
        reply(ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks: results }),
      );
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then((text) => reply(200, text, registry.contentType));
      return;
    }
    reply(404, { error: { code: 'not_found', message: `no route ${path}` } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  shutdown.add('health server', () => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  log.info({ port: typeof address === 'object' && address ? address.port : port }, 'health server listening');
  return server;
}

export async function readiness(
  checks: Record<string, ReadinessCheck>,
): Promise<{ ok: boolean; results: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ok: entries.every(([, result]) => result === 'ok'), results: Object.fromEntries(entries) };
}
