import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ERROR_CODES } from './errors.js';
import { generateOpenApi } from './openapi.js';

const SPEC = fileURLToPath(new URL('../../../openapi.yml', import.meta.url));

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

describe('openapi.yml', () => {
  it('is in sync with the route schemas (run `pnpm openapi` after changing a route)', async () => {
    const committed = readFileSync(SPEC, 'utf8');
    expect(committed).toBe(await generateOpenApi());
  });

  it('is a valid OpenAPI document', async () => {
    const api = await SwaggerParser.validate(SPEC);
    expect(api.info.title).toBe('Event Scheduler API');
  });

  it('gives every operation an id, tags, a summary, and the shared error schema for its errors', () => {
    const spec = parse(readFileSync(SPEC, 'utf8')) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties: { error: { properties: { code: { enum: string[] } } } } }> };
    };
    expect(spec.components.schemas.Error?.properties.error.properties.code.enum).toEqual(ERROR_CODES);
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, typeof op.operationId, op.tags?.length, typeof op.summary]).toEqual([
          where,
          'string',
          1,
          'string',
        ]);
        expect(ids.has(op.operationId as string)).toBe(false);
        ids.add(op.operationId as string);
        if (!path.startsWith('/api/') && !path.startsWith('/admin/')) continue;
        expect([where, op.security?.length]).toEqual([where, expect.any(Number)]);
        for (const status of ['400', '401', '500']) {
          expect([where, status, op.responses[status]?.content?.['application/json']?.schema?.$ref]).toEqual([
            where,
            status,
            '#/components/schemas/Error',
          ]);
        }
      }
    }
    expect(ids.size).toBeGreaterThanOrEqual(25);
  });
});
