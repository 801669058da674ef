// Prints the README's configuration table from config/config.yaml, or with --write replaces it in
// README.md (between the table header and the first blank line after it). A unit test fails when
// the README's table is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../packages/config/dist/index.js';

const table = configTable();
if (!process.argv.includes('--write')) {
  console.log(table);
} else {
  const readme = new URL('../README.md', import.meta.url);
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf('| key | variable | default | meaning |');
  if (start < 0) throw new Error('README.md has no configuration table');
  const end = text.indexOf('\n\n', start);
  writeFileSync(readme, text.slice(0, start) + table + text.slice(end));
  console.log('README.md: configuration table updated');
}
