import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { configEntries, configTable } from './table.js';

const README = new URL('../../../README.md', import.meta.url);

describe('the configuration table', () => {
  it('documents every key of config/config.yaml', () => {
    const entries = configEntries();
    expect(entries.length).toBeGreaterThan(30);
    for (const e of entries) expect(e.meaning).not.toBe('');
    expect(entries.find((e) => e.key === 'worker.count')).toMatchObject({ variable: 'WORKER_COUNT' });
    expect(entries.find((e) => e.key === 'mongo.uri')?.variable).toBe('MONGO_URI` or `MONGO_URL');
  });

  it('in the README is the one generated from config/config.yaml (node scripts/config-table.mjs --write)', () => {
    expect(readFileSync(README, 'utf8')).toContain(configTable());
  });
});
