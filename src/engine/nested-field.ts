/**
 * A field of a nested value stored as text (`subIn.period` of fct_substitutions, whose `subIn` holds Python repr
 * such as `{'period': 2, 'starter': None, 'x': True}`), read the same way by every engine so that duplicate keys
 * built on it agree: scan here in TypeScript, DuckDB and Athena through `sqlNestedField`. The rule, in Trino's
 * terms: `json_extract_scalar` of the text, else of the text read as repr (every `'` made `"`, the words `None`,
 * `True`, `False` made `null`, `true`, `false`); NULL for an object, an array, JSON null or text neither reads.
 * Repr text whose strings hold a quote (`"O'Neil"`) reads as NULL everywhere: the same NULL, so the engines
 * still agree.
 */
import { sqlLiteral } from './sql-facts.js';

/** Python's constants and their JSON spellings, replaced as whole words. */
const REPR_WORDS = [
  ['None', 'null'],
  ['True', 'true'],
  ['False', 'false'],
] as const;

/** What an SQL engine needs to read a nested field: its `json_extract_scalar`, and a whole-word replace. */
export interface NestedFieldSql {
  /** Trino's `json_extract_scalar(json, path)`: the scalar as text; NULL for invalid JSON, objects, arrays. */
  jsonScalar(json: string, path: string): string;
  /** Every match of `\bword\b` in `expr` replaced by `replacement`. */
  replaceWord(expr: string, word: string, replacement: string): string;
}

/** The field at `path` of the text in the SQL expression `column`, by the rule above. */
export function sqlNestedField(column: string, path: readonly string[], sql: NestedFieldSql): string {
  const at = sqlLiteral(`$.${path.join('.')}`);
  let repr = `replace(${column}, '''', '"')`;
  for (const [word, json] of REPR_WORDS) repr = sql.replaceWord(repr, word, json);
  return `COALESCE(${sql.jsonScalar(column, at)}, ${sql.jsonScalar(repr, at)})`;
}

/** The field at `path` of a nested value (text, or an object a reader already decoded), by the rule above. */
export function nestedField(value: unknown, path: readonly string[]): string | null {
  if (typeof value !== 'string') return scalarAt(value, path);
  return jsonScalar(value, path) ?? jsonScalar(reprAsJson(value), path);
}

/** The text of repr read as JSON, as `sqlNestedField`'s replaces make it. */
function reprAsJson(text: string): string {
  let out = text.replaceAll("'", '"');
  for (const [word, json] of REPR_WORDS) out = out.replace(new RegExp(`\\b${word}\\b`, 'g'), json);
  return out;
}

function jsonScalar(text: string, path: readonly string[]): string | null {
  try {
    // Numbers keep the digits they were written with (`2.0` stays `2.0`), as json_extract_scalar returns them.
    const parsed: unknown = JSON.parse(text, (_key, v: unknown, context?: { source?: string }) =>
      typeof v === 'number' && context?.source !== undefined ? new JsonNumber(context.source) : v,
    );
    return scalarAt(parsed, path);
  } catch {
    return null;
  }
}

function scalarAt(value: unknown, path: readonly string[]): string | null {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) return null;
    v = (v as Record<string, unknown>)[p];
  }
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
}

/** A JSON number with the text it was written in (Node 22+ gives revivers the source of primitives). */
class JsonNumber {
  constructor(readonly text: string) {}
}
