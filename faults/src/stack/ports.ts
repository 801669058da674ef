import { createServer } from 'node:net';

/** Where the suite's port blocks start; below Linux's ephemeral range (32768+), so no outgoing connection takes one. */
const BASE = 20_000;
const BLOCK = 32;

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports from a block of its own: block `index` (a scenario's place in the list; the run's
 * PostgreSQL has one after them). Scenarios running in parallel each pick from their own block,
 * so two can never be handed the same free port at once (which an OS-chosen free port allows:
 * a service then fails to listen while another scenario's answers its readiness probe).
 */
export function portBlock(index: number): () => Promise<number> {
  let next = BASE + index * BLOCK;
  const end = next + BLOCK;
  return async () => {
    while (next < end) {
      const port = next++;
      if (await free(port)) return port;
    }
    throw new Error(`no free port left in block ${index} (${end - BLOCK}-${end - 1})`);
  };
}
