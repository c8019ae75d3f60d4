import type { GlueColumn, GlueTable } from './glue-shapes.js';

/** A table as the catalog describes it. */
export interface CatalogTable {
  database: string;
  name: string;
  /** Partition key names in order (`season`, `date`); types are Glue's own (the pipeline's are all `string`). */
  partitionKeys: string[];
  location: string | undefined;
  /** The data columns and their Glue types (`bigint`, `string`…), partition keys not included. */
  columns: GlueColumn[];
  /** The whole Glue `Table`, so new partitions can copy its storage descriptor. */
  glue: GlueTable;
}

/** One registered partition: its values in key order, and where its data is said to be. */
export interface CatalogPartition {
  values: string[];
  location: string | undefined;
}

/** What a batched write did: how many entries succeeded, and why each failure failed (never thrown away). */
export interface BatchResult {
  done: number;
  failed: { values: string[]; reason: string }[];
}

/** Glue refuses more than this many partitions in one BatchCreatePartition. */
export const CREATE_BATCH = 100;
/** Glue refuses more than this many partitions in one BatchDeletePartition. */
export const DELETE_BATCH = 25;

/**
 * The catalog port: Glue for S3 lakes, `_catalog/<database>/<table>.json` for file lakes. Partitions are
 * compared by values, never by location strings (`s3://b/x/` and `s3://b/x` are the same place).
 */
export interface Catalog {
  readonly kind: 'glue' | 'local';
  /** The table, or undefined when the catalog has no entry for it. */
  getTable(database: string, name: string): Promise<CatalogTable | undefined>;
  /** Every partition of the table, page by page as the caller iterates. */
  listPartitions(table: CatalogTable): AsyncIterable<CatalogPartition>;
  /** Registers partitions (in batches of at most `CREATE_BATCH`); the storage descriptor comes from the table. */
  createPartitions(
    table: CatalogTable,
    partitions: readonly { values: string[]; location: string }[],
  ): Promise<BatchResult>;
  /** Removes partitions (in batches of at most `DELETE_BATCH`). Only `repair --confirm-delete` calls this. */
  deletePartitions(table: CatalogTable, values: readonly string[][]): Promise<BatchResult>;
}

/** The port's view of a Glue `Table`. */
export function toCatalogTable(database: string, glue: GlueTable): CatalogTable {
  return {
    database,
    name: glue.Name,
    partitionKeys: (glue.PartitionKeys ?? []).map((k) => k.Name),
    location: glue.StorageDescriptor?.Location,
    columns: glue.StorageDescriptor?.Columns ?? [],
    glue,
  };
}
