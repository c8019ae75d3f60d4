/**
 * The SQL half of the fake Athena: a tokenizer, the table references of a statement, and the conjunctive
 * `WHERE` right after each one (what Trino turns into partition pruning and `$path` split filtering). Pure.
 */

export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'space';
  text: string;
  start: number;
}

/** A failure in Athena's words: `StateChangeReason` is `message`. */
export class AthenaQueryError extends Error {}

/** Trino's position prefix: `line 1:8` (1-based line and column of an offset). */
export function lineCol(sql: string, offset: number): string {
  const before = sql.slice(0, offset).split('\n');
  return `line ${before.length}:${before[before.length - 1]!.length + 1}`;
}

const PUNCT2 = ['<>', '!=', '<=', '>=', '||'];

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
      out.push({ kind: 'space', text: sql.slice(start, i), start });
    } else if (sql.startsWith('--', i)) {
      while (i < sql.length && sql[i] !== '\n') i++;
      out.push({ kind: 'space', text: sql.slice(start, i), start });
    } else if (c === "'" || c === '"') {
      i++;
      for (;;) {
        if (i >= sql.length) {
          throw new AthenaQueryError(`SYNTAX_ERROR: ${lineCol(sql, start)}: mismatched input '${c}'`);
        }
        if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
      out.push({ kind: c === "'" ? 'string' : 'quoted', text: sql.slice(start, i), start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < sql.length && /[A-Za-z0-9_$]/.test(sql[i]!)) i++;
      out.push({ kind: 'word', text: sql.slice(start, i), start });
    } else if (/[0-9]/.test(c)) {
      while (i < sql.length && /[0-9.eE]/.test(sql[i]!)) i++;
      out.push({ kind: 'number', text: sql.slice(start, i), start });
    } else {
      const two = sql.slice(i, i + 2);
      i += PUNCT2.includes(two) ? 2 : 1;
      out.push({ kind: 'punct', text: sql.slice(start, i), start });
    }
  }
  return out;
}

/** An identifier's name: quoted ones unescaped, bare ones folded to lower case (Trino folds both). */
export function identName(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase();
}

/** A literal's value as text: `'2024'` → `2024`, `2024` → `2024`. */
function literalValue(t: Token | undefined): string | undefined {
  if (t?.kind === 'string') return t.text.slice(1, -1).replace(/''/g, "'");
  if (t?.kind === 'number') return t.text;
  return undefined;
}

const isWord = (t: Token | undefined, ...words: string[]) =>
  t?.kind === 'word' && words.includes(t.text.toUpperCase());
const isIdent = (t: Token | undefined) =>
  t?.kind === 'quoted' || (t?.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase()));

const KEYWORDS = new Set(
  (
    'SELECT FROM WHERE GROUP ORDER BY LIMIT OFFSET FETCH HAVING WINDOW UNION EXCEPT INTERSECT JOIN LEFT RIGHT ' +
    'INNER OUTER FULL CROSS ON USING AS AND OR NOT IN IS NULL LATERAL UNNEST WITH VALUES DISTINCT ALL TABLESAMPLE'
  ).split(' '),
);
const CLAUSE_END = new Set('GROUP ORDER LIMIT OFFSET FETCH HAVING WINDOW UNION EXCEPT INTERSECT'.split(' '));

/** Allowed values of one column, from `col IN (…)`, `col = …`, `col <> …`, `col NOT IN (…)`. */
export interface Domain {
  only?: Set<string>;
  not: Set<string>;
}

/** A table named in a FROM or JOIN: its name parts, the tokens it spans, and the domains its WHERE implies. */
export interface TableRef {
  parts: string[];
  /** Indexes into the token list of the first and last token of the name. */
  first: number;
  last: number;
  hasAlias: boolean;
  /** Column (lower case) → allowed values; empty when the WHERE is not a plain conjunction. */
  domains: Map<string, Domain>;
  /** Index of the SELECT token of the query block the table is read by. */
  select: number;
}

/**
 * Finds the tables a statement reads. A FROM counts only in a query block (not `EXTRACT(x FROM y)`); a name
 * followed by `(` is a table function, not a table.
 */
export function tableRefs(tokens: readonly Token[]): TableRef[] {
  const sig = tokens.map((t, i) => ({ t, i })).filter((x) => x.t.kind !== 'space');
  const refs: TableRef[] = [];
  // Per open paren (and the statement itself): the `sig` index of the latest SELECT at that level, or -1 when the
  // level is not a query block (a function's arguments).
  const blocks: number[] = [-1];
  for (let j = 0; j < sig.length; j++) {
    const t = sig[j]!.t;
    if (t.text === '(' || t.text === ')') {
      if (t.text === '(') blocks.push(-1);
      else blocks.pop();
      continue;
    }
    if (isWord(t, 'SELECT')) blocks[blocks.length - 1] = j;
    const select = blocks[blocks.length - 1] ?? -1;
    if (select < 0 || !isWord(t, 'FROM', 'JOIN')) continue;
    let k = j + 1;
    for (;;) {
      if (!isIdent(sig[k]?.t)) break;
      const parts = [identName(sig[k]!.t)];
      const first = k;
      while (sig[k + 1]?.t.text === '.' && isIdent(sig[k + 2]?.t)) {
        parts.push(identName(sig[k + 2]!.t));
        k += 2;
      }
      if (sig[k + 1]?.t.text === '(') break;
      const last = k;
      k++;
      if (isWord(sig[k]?.t, 'AS')) k++;
      const hasAlias = isIdent(sig[k]?.t);
      if (hasAlias) k++;
      const domains = isWord(sig[k]?.t, 'WHERE')
        ? conjunctionDomains(sig.slice(k + 1).map((x) => x.t))
        : new Map();
      refs.push({
        parts,
        first: sig[first]!.i,
        last: sig[last]!.i,
        hasAlias,
        domains,
        select: sig[select]!.i,
      });
      if (sig[k]?.t.text !== ',') break;
      k++;
    }
  }
  return refs;
}

/** The domains of a WHERE that is a conjunction at its own level; a top-level OR gives up (no pruning). */
function conjunctionDomains(tokens: readonly Token[]): Map<string, Domain> {
  const conjuncts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth < 0) break;
    if (depth === 0 && t.kind === 'word' && CLAUSE_END.has(t.text.toUpperCase())) break;
    if (depth === 0 && isWord(t, 'OR')) return new Map();
    if (depth === 0 && isWord(t, 'AND')) conjuncts.push([]);
    else conjuncts[conjuncts.length - 1]!.push(t);
  }
  const domains = new Map<string, Domain>();
  for (const c of conjuncts) {
    const parsed = conjunctDomain(c);
    if (!parsed) continue;
    const d = domains.get(parsed.column) ?? { not: new Set<string>() };
    if (parsed.only) d.only = d.only ? new Set([...d.only].filter((v) => parsed.only!.has(v))) : parsed.only;
    for (const v of parsed.not ?? []) d.not.add(v);
    domains.set(parsed.column, d);
  }
  return domains;
}

function conjunctDomain(
  tokens: readonly Token[],
): { column: string; only?: Set<string>; not?: Set<string> } | undefined {
  if (tokens.length < 3) return undefined;
  let k = 0;
  let column = identName(tokens[0]!);
  if (!isIdent(tokens[0])) return undefined;
  while (tokens[k + 1]?.text === '.' && isIdent(tokens[k + 2])) {
    column = identName(tokens[k + 2]!);
    k += 2;
  }
  const rest = tokens.slice(k + 1);
  const op = rest[0]?.text.toUpperCase();
  if ((op === '=' || op === '<>' || op === '!=') && rest.length === 2) {
    const v = literalValue(rest[1]);
    if (v === undefined) return undefined;
    return op === '=' ? { column, only: new Set([v]) } : { column, not: new Set([v]) };
  }
  const negated = op === 'NOT';
  const list = negated ? rest.slice(1) : rest;
  if (!isWord(list[0], 'IN') || list[1]?.text !== '(' || list[list.length - 1]?.text !== ')')
    return undefined;
  const values: string[] = [];
  const inner = list.slice(2, -1);
  for (let i = 0; i < inner.length; i += 2) {
    const v = literalValue(inner[i]);
    if (v === undefined || (i + 1 < inner.length && inner[i + 1]!.text !== ',')) return undefined;
    values.push(v);
  }
  return negated ? { column, not: new Set(values) } : { column, only: new Set(values) };
}

/** True when `value` is allowed by the domain (or there is none). */
export function admits(domain: Domain | undefined, value: string): boolean {
  if (!domain) return true;
  return (domain.only === undefined || domain.only.has(value)) && !domain.not.has(value);
}

/**
 * The `*` tokens of a query block's select list (not `count(*)`), so the fake can keep hidden columns such as
 * `$path` out of `SELECT *` as Athena does.
 */
export function selectStars(tokens: readonly Token[], select: number): number[] {
  const stars: number[] = [];
  let depth = 0;
  let prev: Token | undefined = tokens[select];
  for (let i = select + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'space') continue;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth < 0 || (depth === 0 && isWord(t, 'FROM'))) break;
    if (
      depth === 0 &&
      t.text === '*' &&
      (prev?.text === ',' || prev?.text === '.' || isWord(prev, 'SELECT', 'DISTINCT', 'ALL'))
    ) {
      stars.push(i);
    }
    prev = t;
  }
  return stars;
}
