import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const API_TITLE = 'Event Scheduler API';
export const API_VERSION = '0.1.0';

/**
 * The OpenAPI document is generated from the route schemas (one source of truth) and served at
 * `/docs/openapi.json` and `/docs/openapi.yml`, with Swagger UI at `/docs` (and `/swagger-ui`).
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Shared schemas (app.addSchema) become components named after their $id.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: API_TITLE,
        version: API_VERSION,
        description: 'Define recurring schedules as RFC 5545 RRULEs; each occurrence fires an HTTP callback.',
      },
      servers: [{ url: 'http://localhost:8080' }],
      tags: [
        { name: 'schedules', description: 'Recurring schedules and their occurrences' },
        { name: 'events', description: 'What happened to each occurrence; redelivery' },
        { name: 'signing', description: 'The secret callbacks are signed with' },
        { name: 'admin', description: 'API keys (admin key required)' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY', description: 'Your API key.' },
          bearer: { type: 'http', scheme: 'bearer', description: 'Your API key as a Bearer token.' },
          adminKey: { type: 'apiKey', in: 'header', name: 'X-ADMIN-KEY', description: 'The admin key.' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs/openapi.yml', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/yaml').send(app.swagger({ yaml: true })),
  );
  app.get('/swagger-ui', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs'));
}
