import { ENDPOINT_TABLES } from './pipeline-tables.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { DEFAULT_CONFIG_YAML } from './default-config.js';
import { withPipelineTables } from './pipeline-tables.js';
import { configSchema, type Config } from './schema.js';

/** A config that parsed, and what was odd about it (unknown keys) without being wrong. */
export interface LoadedConfig {
  config: Config;
  source: string;
  warnings: string[];
}

/** Reads and validates a `config.yaml` file; every error is a `UsageError` that names the file and the key. */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read the config (${code ?? String(e)})`);
  }
  return parseConfig(text, file);
}

/** The config the user named, else `config.yaml` in `cwd`, else the embedded default (the shipped config.yaml). */
export async function loadConfigOrDefault(file: string | undefined, cwd: string): Promise<LoadedConfig> {
  if (file !== undefined) return loadConfigFile(file);
  const local = path.join(cwd, 'config.yaml');
  if (existsSync(local)) return loadConfigFile(local);
  return parseConfig(DEFAULT_CONFIG_YAML, 'embedded default config.yaml');
}

/** Parses config text; `source` names it in messages. */
export function parseConfig(text: string, source: string): LoadedConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = first?.linePos?.[0]
      ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`
      : '';
    throw new UsageError(
      `${source}: not valid YAML${where}: ${(first?.message.split('\n')[0] ?? 'parse error').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  let raw: unknown;
  try {
    // Aliases are resolved here: an unknown anchor or an alias bomb fails now, with the file named.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new UsageError(
      `${source}: not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${source}: expected a mapping of keys at the top level`);
  }
  const parsed = configSchema.safeParse(withPipelineTables(raw as Record<string, unknown>), {
    reportInput: true,
  });
  if (!parsed.success) {
    throw new UsageError(`${source}: ${parsed.error.issues.map(describeIssue).join('; ')}`);
  }
  const unknown = unknownKeys(configSchema, raw, '');
  const mistakes = [
    ...unknown.filter(isBotKey).map((p) => `unknown key ${p} in the bot's own section`),
    ...referenceMistakes(parsed.data),
  ];
  if (mistakes.length > 0) throw new UsageError(`${source}: ${mistakes.join('; ')}`);
  const warnings = unknown.map((p) => `${source}: unknown key ${p} (ignored)`);
  return { config: finish(parsed.data), source, warnings };
}

/** The sections the bot owns: a typo there means nothing would happen, so it is an error, not a warning. */
const BOT_SECTIONS = ['audit', 'catalog', 'aws', 'checkpoints', 'github'];

function isBotKey(keyPath: string): boolean {
  return BOT_SECTIONS.includes(keyPath.split('.')[0] ?? '');
}

/**
 * References that point nowhere: a `parent` that is no table of `audit.tables` (a typo would turn every missing
 * game into "no games, ratio 1"), an `endpoint` the config's `endpoints` (or the pipeline's) do not have.
 */
function referenceMistakes(config: Config): string[] {
  const tables = Object.keys(config.audit.tables);
  // The config's own endpoints, else (a file without `endpoints:`) the pipeline's.
  const endpoints =
    Object.keys(config.endpoints).length > 0 ? Object.keys(config.endpoints) : Object.keys(ENDPOINT_TABLES);
  const out: string[] = [];
  for (const [name, tc] of Object.entries(config.audit.tables)) {
    if (tc.parent !== undefined && !tables.includes(tc.parent))
      out.push(`audit.tables.${name}.parent: "${tc.parent}" is not a table of audit.tables`);
    if (tc.endpoint !== undefined && !endpoints.includes(tc.endpoint))
      out.push(`audit.tables.${name}.endpoint: "${tc.endpoint}" is not an endpoint of endpoints`);
  }
  return out;
}

/** Fills defaults that depend on other keys. */
function finish(config: Config): Config {
  config.catalog.silver_database ??= config.gap_fill.athena_database;
  return config;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'invalid_type') {
    const got = 'input' in issue ? describeValue(issue.input) : 'nothing';
    return `${path}: expected ${article(issue.expected)}, got ${got}`;
  }
  return `${path}: ${issue.message}`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Paths of keys the schema does not know, for warnings: a typo should be visible, not fatal. */
function unknownKeys(schema: z.ZodType, value: unknown, path: string): string[] {
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
  if (inner) return unknownKeys(inner as z.ZodType, value, path);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (def.type === 'record') {
    return entries.flatMap(([k, v]) => unknownKeys(def.valueType as z.ZodType, v, join(path, k)));
  }
  if (def.type !== 'object') return [];
  const shape = def.shape as Record<string, z.ZodType>;
  return entries.flatMap(([k, v]) => {
    // Own keys only: `toString` or `__proto__` in a config must be an unknown key, not Object.prototype's.
    return Object.hasOwn(shape, k) ? unknownKeys(shape[k] as z.ZodType, v, join(path, k)) : [join(path, k)];
  });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
