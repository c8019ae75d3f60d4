/**
 * Reading a table's key from a row. Key columns match case-insensitively (the pipeline lowercases some:
 * fct_lineups has `idhash`, `teamid`), and a dotted name reaches into a JSON column: `subIn.period`.
 */

/** Finds the row's column for a key part, exact name first, then case-insensitive. */
export function resolveColumn(columns: readonly string[], name: string): string | undefined {
  if (columns.includes(name)) return name;
  const lower = name.toLowerCase();
  return columns.find((c) => c.toLowerCase() === lower);
}

/** The physical columns a key needs: `subIn.period` needs `subIn`. Undefined when a column is absent. */
export function keyColumns(columns: readonly string[], key: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const part of key) {
    const col = resolveColumn(columns, part.split('.')[0] as string);
    if (!col) return undefined;
    if (!out.includes(col)) out.push(col);
  }
  return out;
}

/**
 * The key of one row as a string, for sets and maps. Values are normalized (bigint → number) so files written
 * by different writers agree; a missing part is `null`, as the pipeline's dedupe treats it. `field` reads a
 * dotted part out of its column (the audit's engines pass their shared reader, engine/nested-field.ts).
 */
export function rowKey(
  row: Record<string, unknown>,
  key: readonly string[],
  columns: readonly string[],
  field: (value: unknown, path: readonly string[]) => unknown = (v, path) => dig(parseJsonish(v), path),
): string {
  const parts = key.map((part) => {
    const [head, ...path] = part.split('.');
    const col = resolveColumn(columns, head as string);
    let value: unknown = col === undefined ? null : row[col];
    if (path.length > 0) value = field(value, path);
    return typeof value === 'bigint' ? Number(value) : (value ?? null);
  });
  return JSON.stringify(parts);
}

function dig(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/**
 * Parses a nested value stored as text: JSON (what the bot and the pipeline's silver plays write) or a Python
 * repr (what the pipeline's bronze and some silver columns hold: single quotes, `None`, `True`). Returns the
 * value unchanged when it is not text, and null when the text is neither.
 */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    // Python repr of dicts and lists of simple values: swap the quoting and the constants, then try again.
    const converted = value
      .replace(/'((?:[^'\\]|\\.)*)'/g, (_m, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")))
      .replace(/\bNone\b/g, 'null')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false');
    try {
      return JSON.parse(converted);
    } catch {
      return null;
    }
  }
}
