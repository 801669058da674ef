import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { generateOpenApi } from './openapi.js';

describe('openapi.yml', () => {
  it('is in sync with the route schemas (run `pnpm openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../../../openapi.yml', import.meta.url), 'utf8');
    expect(committed).toBe(await generateOpenApi());
  });
});
