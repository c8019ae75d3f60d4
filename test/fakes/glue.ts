import type { GluePartition, GlueTable } from '../../src/catalog/glue-shapes.js';
import { AwsJsonError, serveAwsJson, validationMessage, type JsonBody } from './aws-json.js';

/**
 * A fake AWS Glue Data Catalog on 127.0.0.1, speaking Glue's JSON 1.1 protocol (`X-Amz-Target: AWSGlue.<Op>`)
 * so the real `@aws-sdk/client-glue` talks to it unchanged. It keeps Glue's limits and per-entry errors, counts
 * calls per operation, and lets tests seed tables and partitions in-process. The fake Athena reads it directly.
 */

export const GLUE_OPS = [
  'GetDatabase',
  'CreateDatabase',
  'GetTable',
  'CreateTable',
  'GetPartitions',
  'GetPartition',
  'BatchCreatePartition',
  'BatchDeletePartition',
] as const;
export type GlueOp = (typeof GLUE_OPS)[number];

/** GetPartitions' `MaxResults` range is 1–1000 (API reference, GetPartitions). */
export const GLUE_MAX_PAGE = 1000;
/** `PartitionInputList` holds at most 100 entries (API reference, BatchCreatePartition). */
export const GLUE_MAX_CREATE = 100;
/** `PartitionsToDelete` holds at most 25 entries (API reference, BatchDeletePartition). */
export const GLUE_MAX_DELETE = 25;

export interface FakeGlue {
  url: string;
  /** Calls answered, per operation (errors included). */
  counters: Record<GlueOp, number>;
  /** Puts a table in the catalog (creating its database), replacing one of the same name. */
  seedTable(database: string, table: GlueTable): void;
  /** Adds or replaces partitions of a seeded table. */
  seedPartitions(database: string, table: string, partitions: GluePartition[]): void;
  tables(): { database: string; table: GlueTable }[];
  table(database: string, name: string): GlueTable | undefined;
  /** The table's partitions in the order they were registered. */
  partitions(database: string, table: string): GluePartition[];
  close(): Promise<void>;
}

interface Entry {
  table: GlueTable;
  partitions: Map<string, GluePartition>;
}

const now = () => Math.floor(Date.now() / 1000);
/** Glue folds database and table names to lower case: `GetTable(Name: "FCT_Plays")` finds `fct_plays`. */
const fold = (name: string) => name.toLowerCase();
const valuesKey = (values: readonly string[]) => JSON.stringify(values);

/** Starts the fake on a free port; point a `GlueClient` at `url` (or set `AWS_ENDPOINT_URL_GLUE`). */
export async function startFakeGlue(): Promise<FakeGlue> {
  const databases = new Map<string, { Name: string; CreateTime: number }>();
  const tables = new Map<string, Entry>();
  const counters = Object.fromEntries(GLUE_OPS.map((op) => [op, 0])) as Record<GlueOp, number>;

  const ensureDatabase = (name: string) => {
    if (!databases.has(fold(name))) databases.set(fold(name), { Name: fold(name), CreateTime: now() });
  };
  const database = (name: unknown) => {
    const db = databases.get(fold(required(name, 'databaseName')));
    if (!db) throw new AwsJsonError('EntityNotFoundException', `Database ${String(name)} not found.`);
    return db;
  };
  const entry = (db: unknown, name: unknown) => {
    database(db);
    const found = tables.get(`${fold(String(db))}.${fold(required(name, 'tableName'))}`);
    if (!found) throw new AwsJsonError('EntityNotFoundException', `Table ${String(name)} not found.`);
    return found;
  };
  const put = (db: string, table: GlueTable) => {
    ensureDatabase(db);
    const name = fold(table.Name);
    tables.set(`${fold(db)}.${name}`, {
      table: { ...table, Name: name, DatabaseName: fold(db) },
      partitions: tables.get(`${fold(db)}.${name}`)?.partitions ?? new Map(),
    });
  };
  const partitionOut = (db: string, table: string, p: GluePartition) => ({
    ...p,
    DatabaseName: fold(db),
    TableName: fold(table),
    CreationTime: now(),
  });

  const ops: Record<GlueOp, (b: JsonBody) => unknown> = {
    GetDatabase: (b) => ({ Database: database(b.Name) }),
    CreateDatabase: (b) => {
      const input = b.DatabaseInput as { Name?: string } | undefined;
      const name = required(input?.Name, 'databaseInput.name');
      if (databases.has(fold(name)))
        throw new AwsJsonError('AlreadyExistsException', 'Database already exists.');
      ensureDatabase(name);
      return {};
    },
    GetTable: (b) => ({ Table: { ...entry(b.DatabaseName, b.Name).table, CreateTime: now() } }),
    CreateTable: (b) => {
      database(b.DatabaseName);
      const input = b.TableInput as GlueTable | undefined;
      const name = required(input?.Name, 'tableInput.name');
      if (tables.has(`${fold(String(b.DatabaseName))}.${fold(name)}`)) {
        throw new AwsJsonError('AlreadyExistsException', 'Table already exists.');
      }
      put(String(b.DatabaseName), input!);
      return {};
    },
    GetPartitions: (b) => getPartitions(b),
    GetPartition: (b) => {
      const e = entry(b.DatabaseName, b.TableName);
      const p = e.partitions.get(valuesKey((b.PartitionValues as string[] | undefined) ?? []));
      if (!p) throw new AwsJsonError('EntityNotFoundException', 'Cannot find partition.');
      return { Partition: partitionOut(String(b.DatabaseName), String(b.TableName), p) };
    },
    BatchCreatePartition: (b) => batchCreate(b),
    BatchDeletePartition: (b) => batchDelete(b),
  };

  function getPartitions(b: JsonBody) {
    const e = entry(b.DatabaseName, b.TableName);
    const max = b.MaxResults === undefined ? GLUE_MAX_PAGE : Number(b.MaxResults);
    if (!(max >= 1 && max <= GLUE_MAX_PAGE)) {
      throw new AwsJsonError(
        'ValidationException',
        validationMessage('maxResults', max, `Member must have value less than or equal to ${GLUE_MAX_PAGE}`),
      );
    }
    // A filtered listing is not needed by the bot; refuse it rather than answer it unfiltered.
    if (b.Expression)
      throw new AwsJsonError('InvalidInputException', 'the fake Glue does not evaluate Expression');
    const start = b.NextToken === undefined ? 0 : decodeToken(b.NextToken);
    const all = [...e.partitions.values()];
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? encodeToken(start + max) : undefined;
    return {
      Partitions: page.map((p) => partitionOut(String(b.DatabaseName), String(b.TableName), p)),
      ...(next ? { NextToken: next } : {}),
    };
  }

  function batchCreate(b: JsonBody) {
    const list = (b.PartitionInputList as GluePartition[] | undefined) ?? [];
    if (list.length > GLUE_MAX_CREATE) {
      throw new AwsJsonError(
        'ValidationException',
        validationMessage(
          'partitionInputList',
          `${list.length} entries`,
          `Member must have length less than or equal to ${GLUE_MAX_CREATE}`,
        ),
      );
    }
    const e = entry(b.DatabaseName, b.TableName);
    const keys = e.table.PartitionKeys ?? [];
    const errors: unknown[] = [];
    for (const input of list) {
      const values = input.Values ?? [];
      const fail = (code: string, message: string) =>
        errors.push({ PartitionValues: values, ErrorDetail: { ErrorCode: code, ErrorMessage: message } });
      if (values.length !== keys.length) {
        fail(
          'InvalidInputException',
          'The number of partition keys do not match the number of partition values',
        );
      } else if (e.partitions.has(valuesKey(values))) {
        fail('AlreadyExistsException', 'Partition already exists.');
      } else {
        e.partitions.set(valuesKey(values), { Values: values, StorageDescriptor: input.StorageDescriptor });
      }
    }
    return errors.length > 0 ? { Errors: errors } : {};
  }

  function batchDelete(b: JsonBody) {
    const list = (b.PartitionsToDelete as { Values?: string[] }[] | undefined) ?? [];
    if (list.length > GLUE_MAX_DELETE) {
      throw new AwsJsonError(
        'ValidationException',
        validationMessage(
          'partitionsToDelete',
          `${list.length} entries`,
          `Member must have length less than or equal to ${GLUE_MAX_DELETE}`,
        ),
      );
    }
    const e = entry(b.DatabaseName, b.TableName);
    const errors: unknown[] = [];
    for (const { Values = [] } of list) {
      if (!e.partitions.delete(valuesKey(Values))) {
        errors.push({
          PartitionValues: Values,
          ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: 'Partition not found.' },
        });
      }
    }
    return errors.length > 0 ? { Errors: errors } : {};
  }

  const server = await serveAwsJson('AWSGlue', (op, body) => {
    if (!(op in ops))
      throw new AwsJsonError('UnknownOperationException', `the fake Glue does not implement ${op}`);
    counters[op as GlueOp]++;
    return ops[op as GlueOp](body);
  });

  return {
    url: server.url,
    counters,
    seedTable: put,
    seedPartitions(db, table, partitions) {
      const e = tables.get(`${fold(db)}.${fold(table)}`);
      if (!e) throw new Error(`seedPartitions: seed table ${db}.${table} first`);
      for (const p of partitions) e.partitions.set(valuesKey(p.Values), p);
    },
    tables: () => [...tables.values()].map((e) => ({ database: e.table.DatabaseName!, table: e.table })),
    table: (db, name) => tables.get(`${fold(db)}.${fold(name)}`)?.table,
    partitions: (db, table) => [...(tables.get(`${fold(db)}.${fold(table)}`)?.partitions.values() ?? [])],
    close: server.close,
  };
}

function required(value: unknown, member: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new AwsJsonError('ValidationException', validationMessage(member, null, 'Member must not be null'));
  }
  return value;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: unknown): number {
  try {
    const { offset } = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as {
      offset: number;
    };
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new AwsJsonError('InvalidInputException', 'Invalid continuation token.');
}
