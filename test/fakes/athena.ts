import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AthenaQueryError, lineCol } from './athena-sql.js';
import { fileError, translate, type ScanFile } from './athena-tables.js';
import { AwsJsonError, serveAwsJson, validationMessage, type JsonBody } from './aws-json.js';
import type { FakeGlue } from './glue.js';

/**
 * A fake Amazon Athena on 127.0.0.1, speaking its JSON 1.1 protocol (`X-Amz-Target: AmazonAthena.<Op>`), that
 * runs each statement on DuckDB over the files Athena would read (tables and partitions come from the fake
 * Glue, s3:// URIs map to local files through `resolve`). It keeps Athena's quirks: queries go QUEUED →
 * RUNNING → SUCCEEDED/FAILED over successive polls, failures carry Athena's `StateChangeReason`, and results
 * come as strings, NULL as an empty Datum, the header row first on the first page, pages of at most 1,000 rows.
 */

export const ATHENA_OPS = ['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults'] as const;
export type AthenaOp = (typeof ATHENA_OPS)[number];
export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** GetQueryResults' `MaxResults` range is 1–1000; the header row counts as one of the first page's rows. */
export const ATHENA_MAX_PAGE = 1000;
/** The longest `QueryString` StartQueryExecution accepts. */
export const ATHENA_MAX_QUERY = 262_144;

export interface AthenaQueryLog {
  id: string;
  sql: string;
  database: string | undefined;
  workgroup: string;
  state: QueryState;
  reason?: string;
  rows?: number;
  /** Bytes of the files the statement read (`Statistics.DataScannedInBytes`). */
  scannedBytes: number;
}

export interface FakeAthena {
  url: string;
  counters: Record<AthenaOp, number>;
  /** Every statement started, in order. */
  queries: AthenaQueryLog[];
  close(): Promise<void>;
}

export interface FakeAthenaOptions {
  glue: FakeGlue;
  /** Maps an s3:// URI (object or prefix) to a local path; undefined when it is outside the test's lake. */
  resolve(s3uri: string): string | undefined;
  /**
   * A refusal to plant, asked per statement: a `StateChangeReason` fails that statement as Athena would (S3
   * throttling reaches Athena as `HIVE_CANNOT_OPEN_SPLIT: … (Slow Down / 503)`); undefined runs it.
   */
  refuse?: (sql: string) => string | undefined;
}

interface Execution {
  log: AthenaQueryLog;
  polls: number;
  submitted: number;
  outputLocation: string | undefined;
  outcome?: { columns: { name: string; type: string }[]; rows: (string | null)[][] } | { reason: string };
}

const epoch = () => Date.now() / 1000;

export async function startFakeAthena(options: FakeAthenaOptions): Promise<FakeAthena> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // Trino's json_extract_scalar: NULL for text that is not JSON and for objects and arrays.
  await conn.run(
    `CREATE MACRO json_extract_scalar(j, p) AS CASE WHEN NOT json_valid(j) THEN NULL ` +
      `WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(j, p) END`,
  );
  const executions = new Map<string, Execution>();
  const byToken = new Map<string, string>();
  const queries: AthenaQueryLog[] = [];
  const counters = Object.fromEntries(ATHENA_OPS.map((op) => [op, 0])) as Record<AthenaOp, number>;
  // One DuckDB connection, one statement at a time, like a small workgroup.
  let queue = Promise.resolve();

  const find = (id: unknown) => {
    const e = executions.get(String(id));
    if (!e) throw new AwsJsonError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return e;
  };

  const ops: Record<AthenaOp, (b: JsonBody) => unknown> = {
    StartQueryExecution(b) {
      const sql = typeof b.QueryString === 'string' ? b.QueryString : '';
      if (sql.length < 1 || sql.length > ATHENA_MAX_QUERY) {
        throw new AwsJsonError(
          'InvalidRequestException',
          validationMessage(
            'queryString',
            `${sql.length} characters`,
            `Member must have length between 1 and ${ATHENA_MAX_QUERY}`,
          ),
        );
      }
      // The SDK fills ClientRequestToken; Athena answers a repeated token with the same execution.
      const token = typeof b.ClientRequestToken === 'string' ? b.ClientRequestToken : undefined;
      const known = token ? byToken.get(token) : undefined;
      if (known) return { QueryExecutionId: known };
      const context = b.QueryExecutionContext as { Database?: string } | undefined;
      const result = b.ResultConfiguration as { OutputLocation?: string } | undefined;
      const id = randomUUID();
      const log: AthenaQueryLog = {
        id,
        sql,
        database: context?.Database,
        workgroup: typeof b.WorkGroup === 'string' ? b.WorkGroup : 'primary',
        state: 'QUEUED',
        scannedBytes: 0,
      };
      const execution: Execution = {
        log,
        polls: 0,
        submitted: epoch(),
        outputLocation: result?.OutputLocation,
      };
      executions.set(id, execution);
      if (token) byToken.set(token, id);
      queries.push(log);
      queue = queue.then(async () => {
        const refused = options.refuse?.(sql);
        execution.outcome = refused !== undefined ? { reason: refused } : await execute(sql, log);
      });
      return { QueryExecutionId: id };
    },

    GetQueryExecution(b) {
      const e = find(b.QueryExecutionId);
      e.polls++;
      e.log.state = stateOf(e);
      const reason =
        e.log.state === 'FAILED' && e.outcome && 'reason' in e.outcome ? e.outcome.reason : undefined;
      return {
        QueryExecution: {
          QueryExecutionId: e.log.id,
          Query: e.log.sql,
          StatementType: 'DML',
          SubstatementType: 'SELECT',
          WorkGroup: e.log.workgroup,
          QueryExecutionContext: { Database: e.log.database, Catalog: 'awsdatacatalog' },
          ResultConfiguration: e.outputLocation
            ? { OutputLocation: `${e.outputLocation.replace(/\/?$/, '/')}${e.log.id}.csv` }
            : {},
          EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
          Status: {
            State: e.log.state,
            SubmissionDateTime: e.submitted,
            ...(e.log.state === 'SUCCEEDED' || e.log.state === 'FAILED'
              ? { CompletionDateTime: epoch() }
              : {}),
            ...(reason
              ? {
                  StateChangeReason: reason,
                  AthenaError: { ErrorCategory: 2, Retryable: false, ErrorMessage: reason },
                }
              : {}),
          },
          Statistics: {
            DataScannedInBytes: e.log.scannedBytes,
            EngineExecutionTimeInMillis: 1,
            TotalExecutionTimeInMillis: 2,
          },
        },
      };
    },

    GetQueryResults(b) {
      const e = find(b.QueryExecutionId);
      const max = b.MaxResults === undefined ? ATHENA_MAX_PAGE : Number(b.MaxResults);
      if (!(max >= 1 && max <= ATHENA_MAX_PAGE)) {
        throw new AwsJsonError(
          'InvalidRequestException',
          validationMessage(
            'maxResults',
            max,
            `Member must have value less than or equal to ${ATHENA_MAX_PAGE}`,
          ),
        );
      }
      const state = stateOf(e);
      if (state === 'FAILED')
        throw new AwsJsonError('InvalidRequestException', (e.outcome as { reason: string }).reason);
      if (state !== 'SUCCEEDED' || !e.outcome || 'reason' in e.outcome) {
        throw new AwsJsonError(
          'InvalidRequestException',
          `Query has not yet finished. Current state: ${state}`,
        );
      }
      const { columns, rows } = e.outcome;
      // The header row (column names) is the first row of the first page only, and counts toward MaxResults.
      const all = [columns.map((c) => c.name), ...rows];
      const start = b.NextToken === undefined ? 0 : pageStart(b.NextToken, e.log.id);
      const page = all.slice(start, start + max);
      return {
        UpdateCount: 0,
        ResultSet: {
          Rows: page.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: { ColumnInfo: columns.map(columnInfo) },
        },
        ...(start + max < all.length ? { NextToken: pageToken(e.log.id, start + max) } : {}),
      };
    },
  };

  async function execute(sql: string, log: AthenaQueryLog): Promise<NonNullable<Execution['outcome']>> {
    let files = new Map<string, ScanFile>();
    try {
      await checkSyntax(conn, sql);
      const translation = await translate(sql, {
        database: log.database,
        glue: options.glue,
        resolve: options.resolve,
        conn,
      });
      files = translation.files;
      log.scannedBytes = translation.scannedBytes;
      const reader = await conn.runAndReadAll(translation.sql);
      const types = reader.columnTypes().map((t) => String(t));
      // Trino folds every identifier to lower case, result column names included.
      const columns = reader.columnNames().map((name, i) => ({ name: name.toLowerCase(), type: types[i]! }));
      const rows = reader.getRowsJson().map((row) => row.map((v, i) => varchar(v, columns[i]!.type)));
      log.rows = rows.length;
      return { columns, rows };
    } catch (e) {
      const reason =
        e instanceof AthenaQueryError
          ? e.message
          : ((await fileError(e, files))?.message ?? athenaWords(e, sql));
      log.reason = reason;
      return { reason };
    }
  }

  const server = await serveAwsJson('AmazonAthena', (op, body) => {
    if (!(op in ops))
      throw new AwsJsonError('UnknownOperationException', `the fake Athena does not implement ${op}`);
    counters[op as AthenaOp]++;
    return ops[op as AthenaOp](body);
  });

  return {
    url: server.url,
    counters,
    queries,
    async close() {
      await server.close();
      await queue;
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** QUEUED on the first poll, RUNNING on the second, then the outcome once the statement has finished. */
function stateOf(e: Execution): QueryState {
  if (e.polls <= 1) return e.polls === 1 ? 'QUEUED' : e.log.state;
  if (e.polls === 2 || !e.outcome) return 'RUNNING';
  return 'reason' in e.outcome ? 'FAILED' : 'SUCCEEDED';
}

/** Parse errors in Athena's words, with the position in the statement as sent (DuckDB's parser finds them). */
async function checkSyntax(conn: DuckDBConnection, sql: string): Promise<void> {
  if (!/^\s*(\(\s*)*(SELECT|WITH)\b/i.test(sql)) {
    throw new AthenaQueryError('NOT_SUPPORTED: the fake Athena runs SELECT statements only');
  }
  const reader = await conn.runAndReadAll(
    `SELECT json_serialize_sql(${`'${sql.replace(/'/g, "''")}'`}) AS j`,
  );
  const parsed = JSON.parse(String(reader.getRowObjectsJson()[0]?.j)) as {
    error?: boolean;
    error_message?: string;
    position?: string;
    statements?: unknown[];
  };
  if (!parsed.error) {
    if ((parsed.statements?.length ?? 0) > 1) {
      throw new AthenaQueryError(`SYNTAX_ERROR: Only one sql statement is allowed. Got: ${sql}`);
    }
    return;
  }
  const near = /near "(.*)"/.exec(parsed.error_message ?? '')?.[1] ?? '<EOF>';
  throw new AthenaQueryError(
    `SYNTAX_ERROR: ${lineCol(sql, Number(parsed.position ?? 0))}: mismatched input '${near}'`,
  );
}

/** Any other DuckDB failure, as Trino would name it. */
function athenaWords(e: unknown, sql: string): string {
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0]!;
  const column = /Referenced column "([^"]+)" not found/.exec(message)?.[1];
  if (column) {
    const at = Math.max(0, sql.toLowerCase().indexOf(column.toLowerCase()));
    return `COLUMN_NOT_FOUND: ${lineCol(sql, at)}: Column '${column}' cannot be resolved or requester is not authorized to access requested resources`;
  }
  const fn = /(?:Scalar Function|Function) with name "?([\w$]+)"? does not exist/.exec(message)?.[1];
  if (fn)
    return `FUNCTION_NOT_FOUND: ${lineCol(sql, Math.max(0, sql.indexOf(fn)))}: Function '${fn}' not registered`;
  if (/^Conversion Error/.test(first))
    return `INVALID_CAST_ARGUMENT: ${first.replace(/^Conversion Error: /, '')}`;
  return `GENERIC_INTERNAL_ERROR: ${first}`;
}

/** A value as Athena's VarCharValue: Trino's text for the type (doubles keep a `.0`, arrays `[a, b]`). */
function varchar(value: unknown, duckType: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && /DOUBLE|FLOAT/.test(duckType) && Number.isInteger(value))
    return value.toFixed(1);
  if (Array.isArray(value)) return `[${value.map((v) => varchar(v, '') ?? 'null').join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${varchar(v, '') ?? 'null'}`)
      .join(', ')}}`;
  }
  return String(value);
}

const ATHENA_TYPES: Record<string, [type: string, precision: number]> = {
  BIGINT: ['bigint', 19],
  HUGEINT: ['bigint', 19],
  INTEGER: ['integer', 10],
  SMALLINT: ['smallint', 5],
  TINYINT: ['tinyint', 3],
  DOUBLE: ['double', 17],
  FLOAT: ['real', 7],
  VARCHAR: ['varchar', 2147483647],
  BOOLEAN: ['boolean', 0],
  DATE: ['date', 0],
  TIMESTAMP: ['timestamp', 3],
};

function columnInfo(c: { name: string; type: string }) {
  const [type, precision] = ATHENA_TYPES[c.type] ?? [
    c.type.endsWith('[]') ? 'array' : c.type.toLowerCase(),
    0,
  ];
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: c.name,
    Label: c.name,
    Type: type,
    Precision: precision,
    Scale: 0,
    Nullable: 'UNKNOWN',
    CaseSensitive: type === 'varchar',
  };
}

function pageToken(id: string, start: number): string {
  return Buffer.from(JSON.stringify({ id, start })).toString('base64');
}

function pageStart(token: unknown, id: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as {
      id: string;
      start: number;
    };
    if (parsed.id === id && Number.isInteger(parsed.start) && parsed.start > 0) return parsed.start;
  } catch {
    // fall through
  }
  throw new AwsJsonError('InvalidRequestException', 'The NextToken is not valid for this query.');
}
