/** A value the pipeline could put in an API call's params. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Python's `json.dumps(value, sort_keys=sortKeys)` with its defaults: `", "` and `": "` separators and
 * `ensure_ascii=True`. The pipeline hashes this text to name its files, so a byte of difference moves every key.
 * JS integers print as Python ints; other numbers as Python's `repr(float)` would.
 */
export function pythonJsonDumps(value: JsonValue, sortKeys = true): string {
  // A field set to `undefined` (never in parsed JSON) is left out, and null in a list, as JSON.stringify does.
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v, sortKeys)).join(', ')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (sortKeys) keys.sort(comparePythonStrings);
  return `{${keys.map((k) => `${pythonString(k)}: ${pythonJsonDumps(value[k] as JsonValue, sortKeys)}`).join(', ')}}`;
}

/** Python sorts str by code point; JS's default sort compares UTF-16 units, which differs above U+FFFF. */
export function comparePythonStrings(a: string, b: string): number {
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
  return pythonNumberText(n);
}

/** Whether a number parsed from the API's JSON is a Python int (see `pythonNumberText`). */
export function isPythonInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 1e16;
}

/**
 * A JS number as Python prints the int or float it stands for. JSON keeps no difference between `5` and `5.0`,
 * and the CBBD API (a JavaScript server) never sends `5.0`: an integer below 1e16 is a Python int; anything
 * else is a float, printed as `repr(float)` does (shortest round-trip digits, exponent form when the decimal
 * exponent is below -4 or from 16 on: `1e-05`, `1e+16`).
 */
function pythonNumberText(n: number): string {
  if (isPythonInt(n)) return String(n);
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (n !== 0 && (e < -4 || e >= 16))
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(n);
  return s.includes('.') ? s : `${s}.0`;
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

/** Printable ASCII without a quote or a backslash: the same text in JSON and in `repr`, nothing to escape. */
const PLAIN = /^[\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]*$/;

function pythonString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
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

/**
 * CPython 3's `repr(value)` of a value parsed from JSON: what the pipeline's bronze files (and its silver
 * `fct_substitutions.subIn`/`subOut`) hold for a nested value, because pyarrow gets `str(dict)` there.
 * `None`/`True`/`False`, dicts in insertion order with `': '` and `', '`, strings quoted as Python chooses.
 */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonFloatOrInt(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  throw new TypeError(`pythonRepr: no Python value for a ${typeof value}`);
}

/** CPython's `str(value)`: a string as it is, anything else as its `repr`. */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonFloatOrInt(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return pythonNumberText(n);
}

const REPR_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** What `str.isprintable()` is false for: other (control, format, surrogate, private, unassigned) and separators. */
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u;

/**
 * `repr(str)`: single quotes unless the text holds a `'` and no `"`; backslash escapes for `\\`, the quote,
 * `\t \n \r`, and `\xhh`, `\uhhhh` or `\Uhhhhhhhh` for characters that are not printable; every other
 * character, non-ASCII included, as it is.
 */
function pythonStringRepr(s: string): string {
  if (PLAIN.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    const short = REPR_ESCAPES[ch];
    if (short) out += short;
    else if (ch === quote) out += `\\${ch}`;
    else if ((code >= 0x20 && code < 0x7f) || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}
