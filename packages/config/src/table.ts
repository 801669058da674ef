import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, parseDocument } from 'yaml';
import { DEFAULT_CONFIG_FILE } from './load.js';

/** Aliases accepted besides the variable named after a key's path. */
const ALIASES: Record<string, string> = { 'mongo.uri': 'MONGO_URL' };

export interface ConfigEntry {
  key: string;
  variable: string;
  default: string;
  meaning: string;
}

/** Every key of the defaults file, with its default and the comment above it (its documentation). */
export function configEntries(file = DEFAULT_CONFIG_FILE): ConfigEntry[] {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const entries: ConfigEntry[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    node.items.forEach((item, i) => {
      if (!isPair(item) || !isScalar(item.key)) return;
      const here = [...path, String(item.key.value)];
      if (isMap(item.value)) {
        walk(item.value, here);
        return;
      }
      const key = here.join('.');
      // The comment above a map's first key belongs to the map in the parsed document.
      const above = item.key.commentBefore ?? (i === 0 ? node.commentBefore : undefined) ?? '';
      const comment = above.replace(/\s*\n\s*/g, ' ').trim();
      const value = isScalar(item.value) ? item.value.value : '';
      const variable = here.join('_').toUpperCase();
      entries.push({
        key,
        variable: ALIASES[key] ? `${variable}\` or \`${ALIASES[key]}` : variable,
        default: value === '' ? '(empty)' : String(value),
        meaning: comment,
      });
    });
  };
  walk(doc.contents, []);
  return entries;
}

/** The README's configuration table, generated from the defaults file so it cannot drift. */
export function configTable(file = DEFAULT_CONFIG_FILE): string {
  const rows = configEntries(file).map(
    (e) => `| \`${e.key}\` | \`${e.variable}\` | ${e.default} | ${e.meaning.replaceAll('|', '\\|')} |`,
  );
  return ['| key | variable | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
