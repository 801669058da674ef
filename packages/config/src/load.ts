import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Static, TObject, TSchema } from 'typebox';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';

/** Where the defaults live unless CONFIG_FILE says otherwise: `<repo>/config/config.yaml`. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../../config/config.yaml', import.meta.url));

/** Environment variables accepted as aliases of a key, for URL-style deployment settings. */
const ALIASES: Record<string, string> = { MONGO_URL: 'mongo.uri', REDIS_URL: 'redis.url' };

export interface ConfigIssue {
  key: string;
  source: string;
  value: unknown;
  expected: string;
}

/** A configuration that cannot be used; `message` is one line naming every bad key. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `invalid configuration: ${issues
        .map((i) => `${i.key} = ${JSON.stringify(i.value)} (from ${i.source}): expected ${i.expected}`)
        .join('; ')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Variables that override the file; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** YAML file with the defaults; default `$CONFIG_FILE`, else {@link DEFAULT_CONFIG_FILE}. */
  file?: string;
}

/** The environment variable that overrides a key: `worker.max_retries` -> `WORKER_MAX_RETRIES`. */
export const envName = (key: string): string => key.replaceAll('.', '_').toUpperCase();

/**
 * Reads the defaults file, applies environment overrides, validates the result against `schema`
 * and returns it frozen. Throws a {@link ConfigError} listing every bad key at once.
 */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions = {}): Readonly<Static<S>> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.CONFIG_FILE ?? DEFAULT_CONFIG_FILE;
  const fromFile = readYaml(file);
  const sources = new Map<string, string>();
  const config: Record<string, unknown> = {};
  for (const section of Object.keys(schema.properties)) {
    config[section] = structuredClone(fromFile[section]);
  }
  for (const [key, leaf] of leaves(schema)) {
    sources.set(key, file);
    const names = [envName(key), ...Object.keys(ALIASES).filter((alias) => ALIASES[alias] === key)];
    for (const name of names) {
      const raw = env[name];
      if (raw === undefined) continue;
      setPath(config, key, coerce(leaf, raw));
      sources.set(key, name);
    }
  }
  // Each leaf is checked on its own, so every bad key is reported exactly once (a whole-object
  // validation caps its error list and repeats union members).
  const issues: ConfigIssue[] = unknownKeys(schema, config).map((key) => ({
    key,
    source: file,
    value: getPath(config, key),
    expected: 'no such key (check the spelling)',
  }));
  for (const [key, leaf] of leaves(schema)) {
    const value = getPath(config, key);
    if (!Value.Check(leaf, value)) {
      issues.push({
        key,
        source: sources.get(key) ?? file,
        value,
        expected: value === undefined ? `a value: ${describe(leaf)}` : expectation(leaf, value),
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(config) as Readonly<Static<S>>;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([
      {
        key: 'CONFIG_FILE',
        source: 'file system',
        value: file,
        expected: `a readable YAML file (${(cause as Error).message})`,
      },
    ]);
  }
  try {
    const parsed: unknown = parseYaml(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch (cause) {
    throw new ConfigError([
      {
        key: 'CONFIG_FILE',
        source: file,
        value: file,
        expected: `valid YAML (${(cause as Error).message.split('\n')[0]})`,
      },
    ]);
  }
}

/** Keys present in `config` that the schema does not know, such as a misspelt one in the file. */
function unknownKeys(schema: TSchema, config: unknown, prefix = ''): string[] {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!properties || config === null || typeof config !== 'object') return [];
  return Object.entries(config).flatMap(([name, value]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    const child = properties[name];
    return child ? unknownKeys(child, value, key) : [key];
  });
}

function* leaves(schema: TSchema, prefix = ''): Generator<[string, TSchema]> {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!properties) {
    yield [prefix, schema];
    return;
  }
  for (const [name, child] of Object.entries(properties)) yield* leaves(child, prefix ? `${prefix}.${name}` : name);
}

/** Environment values are strings; turn those that look right into the leaf's type. */
function coerce(leaf: TSchema, raw: string): unknown {
  const type = (leaf as { type?: string }).type;
  const text = raw.trim();
  if ((type === 'integer' || type === 'number') && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (type === 'boolean' && /^(true|false|1|0)$/i.test(text)) return /^(true|1)$/i.test(text);
  return raw;
}

/**
 * What a value that fails its leaf should be. When only a refinement failed (the value has the
 * right shape but, say, a bad entry in a list), its own message names the bad part.
 */
function expectation(leaf: TSchema, value: unknown): string {
  const errors = [...Value.Errors(leaf, value)];
  const refinements = errors.filter((e) => e.keyword === '~refine');
  if (errors.length > 0 && refinements.length === errors.length) return refinements.map((e) => e.message).join('; ');
  return describe(leaf);
}

function describe(leaf: TSchema | undefined): string {
  if (!leaf) return 'a valid value';
  const s = leaf as Record<string, unknown>;
  if (typeof s.description === 'string') return s.description;
  const type = s.type as string | undefined;
  if (type === 'integer' || type === 'number') {
    const noun = type === 'integer' ? 'an integer' : 'a number';
    const lower =
      s.minimum !== undefined ? `>= ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '';
    const upper = s.maximum !== undefined ? `<= ${s.maximum}` : '';
    return [noun, [lower, upper].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
  }
  if (type === 'boolean') return 'true or false';
  if (type === 'string') return s.pattern ? `a string matching /${s.pattern}/` : 'a non-empty string';
  return 'a valid value';
}

function getPath(target: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], target);
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === null || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
