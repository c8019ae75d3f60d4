/** A value the pipeline could put in an API call's params. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Python's `json.dumps(value, sort_keys=sortKeys)` with its defaults: `", "` and `": "` separators and
 * `ensure_ascii=True`. The pipeline hashes this text to name its files, so a byte of difference moves every key.
 * JS integers print as Python ints; other numbers as Python's `repr(float)` would.
 */
export function pythonJsonDumps(value: JsonValue, sortKeys = true): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v, sortKeys)).join(', ')}]`;
  const keys = Object.keys(value);
  if (sortKeys) keys.sort(comparePythonStrings);
  return `{${keys.map((k) => `${pythonString(k)}: ${pythonJsonDumps(value[k] as JsonValue, sortKeys)}`).join(', ')}}`;
}

/** Python sorts str by code point; JS's default sort compares UTF-16 units, which differs above U+FFFF. */
function comparePythonStrings(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0) as number);
  const cb = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return (ca[i] as number) - (cb[i] as number);
  }
  return ca.length - cb.length;
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  // repr(float): shortest round-trip digits, exponent form outside [1e-4, 1e16).
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exp] = n.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const s = String(n);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}
